"""The one access policy: may this principal do this action on this resource?

Every face asks here, and only here: the bus before it runs a command (whichever face built
it), the API and the web pages before a route answers, the command line before an operation,
the read views when they scope their queries, the ledger before it serves an entry's bytes.
:func:`decide` answers every such question; the helpers below are its named uses. The policy
is pure: the store says what a command touches (:class:`Resource`), whose an entry is
(:class:`EntryOwner`), and who is asking (:class:`Principal`); this package decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..lifecycle.accounts import CLIENT_ROLES, ROLES
from .commands import COMMANDS, Resource, Rule, authorize, may
from .principals import ANONYMOUS, Forbidden, Principal, Unauthenticated
from .reads import EntryOwner, ReadScope, may_read_entry, may_supervise, read_scope
from .refusals import refusal
from .routes import (
    OPERATIONS,
    ROUTES,
    RouteRule,
    check_operation,
    check_route,
    command_names,
    route_rule,
)

__all__ = [
    "ANONYMOUS",
    "CLIENT_ROLES",
    "COMMANDS",
    "OPERATIONS",
    "READ_ENTRY",
    "READ_EVIDENCE",
    "ROLES",
    "ROUTES",
    "SUPERVISE",
    "EntryOwner",
    "Forbidden",
    "Principal",
    "ReadScope",
    "Resource",
    "RouteRule",
    "Rule",
    "Unauthenticated",
    "authorize",
    "check_operation",
    "check_route",
    "command_names",
    "decide",
    "may",
    "may_read_entry",
    "may_supervise",
    "read_scope",
    "route_rule",
]

READ_ENTRY = "ledger.entry"  # reading a ledger entry's bytes (its proof is public)
SUPERVISE = "hub.supervise"  # reading the hub's confidential records of a division
READ_EVIDENCE = "evidence.read"  # reading an organisation's process data (its EntryOwner)


def decide(principal: Principal, action: Any, resource: Any = None) -> None:
    """Refuse ``action`` on ``resource`` unless ``principal`` may: Unauthenticated (401) for
    nobody where a sign-in is needed, Forbidden (403, with the rule and why) otherwise.

    ``action`` is a command of the bus (``resource``: the :class:`Resource` it touches), a
    route as ``"METHOD /path/{template}"`` (``resource``: its path and query parameters), an
    operation of the command line named in ``OPERATIONS`` (its parameters),
    :data:`READ_ENTRY` or :data:`READ_EVIDENCE` (``resource``: the record's
    :class:`EntryOwner`), or :data:`SUPERVISE`
    (``resource``: the division a hub record lies in).
    """
    if isinstance(action, str) and action == READ_ENTRY:
        if not may_read_entry(principal, resource):
            raise Forbidden("access.entry", *refusal("read.entry"))
    elif isinstance(action, str) and action == READ_EVIDENCE:
        # An organisation's process data is its own and its certifying bodies' (ISO/IEC
        # 17021-1:2015 8.4), as its other records are: the same test as an entry's bytes.
        if not may_read_entry(principal, resource):
            raise Forbidden("access.evidence", *refusal("read.evidence"))
    elif isinstance(action, str) and action == SUPERVISE:
        if not may_supervise(principal, resource):
            said = (
                refusal("read.jurisdiction", record=resource)
                if resource
                else refusal("read.jurisdiction.no-record")
            )
            raise Forbidden("access.jurisdiction", *said)
    elif isinstance(action, str) and action in OPERATIONS:
        check_operation(principal, action, resource)
    elif isinstance(action, str) and " " in action:
        method, path = action.split(" ", 1)
        check_route(principal, method, path, resource or _NONE)
    else:
        authorize(principal, action, resource or Resource())


_NONE: Mapping[str, str] = {}
