"""qcert's errors: each has a one-line message and the HTTP status a face should use."""

from __future__ import annotations

__all__ = ["NotInitialised", "QcertError", "Unavailable"]


class QcertError(Exception):
    """An expected refusal; ``str(err)`` is one line for the user."""

    status = 400


class NotInitialised(QcertError):
    """The data directory or its keys do not exist yet."""

    status = 503


class Unavailable(QcertError):
    """This installation does not offer what was asked (not configured)."""

    status = 503
