"""The certification lifecycle (certification-body side), event-sourced on the ledger.

Aggregates (``parties``, ``certification`` with its ``audits``, ``decision`` and
``certificate_status``, ``cases``, ``lines``) enforce the rules of ISO/IEC 17021-1, IAF MD 1/2/5/11
and the scheme files; ``commands`` and ``handlers`` are how faces ask for
changes; every change is an event (``events``) on the ledger.
"""

from . import accounts  # noqa: F401  (registers the account events)
from .commands import *  # noqa: F403
from .commands import __all__ as _commands
from .cycle import CertStatus
from .handlers import handle

__all__ = [*_commands, "CertStatus", "handle"]
