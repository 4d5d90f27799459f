"""The installation's operator: the platform administrator the command line acts as until
someone signs in with ``qcert login``.

``qcert init`` opens the account (as the platform itself, ``system:init``) with a password
nobody knows, and draws it an API key kept in the keys folder, readable by the data
directory's owner only: whoever can read that file runs the installation anyway.
"""

from __future__ import annotations

import os
import secrets

from .access import Principal
from .bootstrap import Services
from .lifecycle.commands import IssueApiKey, OpenAccount

__all__ = ["OPERATOR", "ensure_operator"]

OPERATOR = "operator"
KEY_FILE = "operator.key"


def ensure_operator(services: Services) -> str:
    """Open the operator account and save its key if either is missing; the account's id."""
    path = services.settings.keys_dir / KEY_FILE
    if path.exists():
        return OPERATOR
    system = Principal.system("init")
    if services.identity.principal(OPERATOR) is None:
        password = secrets.token_urlsafe(32)  # never shown: the operator signs in by its key
        services.bus.handle(
            OpenAccount(OPERATOR, "Operator / 运维", ["platform-admin@platform"], password), system
        )
    reply = services.bus.handle(IssueApiKey(OPERATOR, "command line"), system).reply
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(reply["api_key"] + "\n")
    return OPERATOR
