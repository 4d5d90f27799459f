"""The message bus: every command of every part, and the one place they are dispatched."""

from __future__ import annotations

import logging
import re
from typing import Any

from .credentials import commands as credential_commands
from .credentials.commands import IssueCredential
from .credentials.handlers import HANDLERS as CREDENTIAL_HANDLERS
from .credentials.handlers import NoSigningKey
from .lifecycle import commands as lifecycle_commands
from .lifecycle.events import CertificateIssued
from .lifecycle.handlers import HANDLERS as LIFECYCLE_HANDLERS

log = logging.getLogger(__name__)

__all__ = ["HANDLERS", "by_name", "handle"]

HANDLERS = {**LIFECYCLE_HANDLERS, **CREDENTIAL_HANDLERS}


def by_name() -> dict[str, type]:
    """Every command by its name on the command line and in the API (``plan-audit``)."""
    names = [*lifecycle_commands.__all__]
    classes = [getattr(lifecycle_commands, n) for n in names]
    classes += [getattr(credential_commands, n) for n in credential_commands.__all__]
    return {re.sub(r"(?<!^)(?=[A-Z])", "-", c.__name__).lower(): c for c in classes}


def handle(command: Any, uow: Any) -> list[int]:
    """Run ``command`` in one unit of work; return the ledger indices of what it recorded.

    After the commit, side effects run in units of work of their own: each certificate
    issued is issued as a credential too, when the unit of work has a key store and a
    public host. A failing side effect is logged, never undoes the command.
    """
    handler = HANDLERS[type(command)]
    with uow:
        handler(command, uow)
        indices = uow.commit()
    for follow_up in _side_effects(uow):
        try:
            indices += handle(follow_up, uow.fresh())
        except NoSigningKey as err:
            log.info("no credential issued: %s", err)
        except Exception:  # a side effect must not undo what was committed
            log.exception("side effect %s failed after %s", follow_up, type(command).__name__)
    return indices


def _side_effects(uow: Any) -> list[Any]:
    if getattr(uow, "keys", None) is None or not getattr(uow, "host", None):
        return []
    issued = [
        env for _, env in getattr(uow, "recorded", []) if isinstance(env.event, CertificateIssued)
    ]
    return [IssueCredential(env.aggregate.split(":", 1)[1], uow.host) for env in issued]
