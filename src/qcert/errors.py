"""qcert's errors: each has a one-line message and the HTTP status a face should use.

Each says itself in zh-CN too (``err.zh``): given where it is raised when it carries details,
else its kind's sentence. :func:`chinese` is what every face shows in Chinese for any expected
error, so none falls back to the English.
"""

from __future__ import annotations

import re

from .ledger import errors as ledger
from .locale import messages

__all__ = ["KINDS", "KindSentence", "NotInitialised", "QcertError", "Unavailable", "chinese"]

KINDS = messages(__name__)  # kind name -> (zh-CN, en), from the catalogs


class KindSentence:
    """What a kind of error says in zh-CN, read from the catalogs (domain ``errors``) by the
    kind's name, its module inside qcert and its class (``store.uow.NotFound``): the nearest
    kind up the class's bases that has a sentence. An instance's own ``zh`` (what its raiser
    gave) comes first: this descriptor is not a data descriptor, so that shadows it."""

    def __get__(self, obj: object, owner: type) -> str:
        for kind in owner.__mro__:
            found = KINDS.get(kind_name(kind))
            if found:
                return found[0]
        return ""


def kind_name(kind: type) -> str:
    """An error kind's key in the ``errors`` catalogs."""
    return f"{kind.__module__.removeprefix('qcert.')}.{kind.__qualname__}"


class QcertError(Exception):
    """An expected refusal; ``str(err)`` is one line for the user, ``err.zh`` the same in
    zh-CN (the kind's sentence unless the raiser gives one)."""

    status = 400
    zh = KindSentence()  # the kind's sentence, from the catalogs

    def __init__(self, message: str = "", zh: str | None = None) -> None:
        super().__init__(message)
        if zh:
            self.zh = zh


class NotInitialised(QcertError):
    """The data directory or its keys do not exist yet."""

    status = 503


class Unavailable(QcertError):
    """This installation does not offer what was asked (not configured)."""

    status = 503


# The ledger's core tells its errors in English (it is a library with no user-facing text and
# imports nothing of qcert); what each kind means in Chinese is in the catalogs, under its
# name, most specific kind first.
_LEDGER_KINDS: tuple[type[Exception], ...] = (
    ledger.RootMismatch,
    ledger.ProofError,
    ledger.IndexOutOfRange,
    ledger.SignatureError,
    ledger.CheckpointError,
    ledger.KeyFormatError,
    ledger.BundleFormatError,
    ledger.EntryTooLarge,
    ledger.LedgerError,
)
_CJK = re.compile(r"[\u3400-\u9fff]")


def chinese(err: Exception) -> str | None:
    """What ``err`` says in zh-CN: the Chinese its raiser gave, the Chinese half of an
    ``"en / 中文"`` message, the ledger kind's sentence or its kind's sentence; None for an
    error that has none (a bug's)."""
    own = vars(err).get("zh")
    if isinstance(own, str) and _CJK.search(own):
        return own
    _, slash, tail = str(err).rpartition(" / ")
    if slash and _CJK.search(tail):
        return tail
    for kind in _LEDGER_KINDS:
        if isinstance(err, kind):
            return KINDS[kind_name(kind)][0]
    told = getattr(type(err), "zh", None)
    return told if isinstance(told, str) and _CJK.search(told) else None
