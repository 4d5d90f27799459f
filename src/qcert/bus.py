"""The message bus: every command of every part, and the one place they are dispatched."""

from __future__ import annotations

import re
from typing import Any

from .credentials import commands as credential_commands
from .credentials.handlers import HANDLERS as CREDENTIAL_HANDLERS
from .lifecycle import commands as lifecycle_commands
from .lifecycle.handlers import HANDLERS as LIFECYCLE_HANDLERS

__all__ = ["HANDLERS", "by_name", "handle"]

HANDLERS = {**LIFECYCLE_HANDLERS, **CREDENTIAL_HANDLERS}


def by_name() -> dict[str, type]:
    """Every command by its name on the command line and in the API (``plan-audit``)."""
    names = [*lifecycle_commands.__all__]
    classes = [getattr(lifecycle_commands, n) for n in names]
    classes += [getattr(credential_commands, n) for n in credential_commands.__all__]
    return {re.sub(r"(?<!^)(?=[A-Z])", "-", c.__name__).lower(): c for c in classes}


def handle(command: Any, uow: Any) -> list[int]:
    """Run ``command`` in one unit of work; return the ledger indices of what it recorded."""
    handler = HANDLERS[type(command)]
    with uow:
        handler(command, uow)
        return uow.commit()
