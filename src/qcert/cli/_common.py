"""What every command shares: settings from the context, output, and one-line errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from ..config import Settings
from ..errors import QcertError, chinese
from ._words import both, said, two_lines

if TYPE_CHECKING:
    from ..access import Principal
    from ..bootstrap import Services

# Nothing heavier than the settings is imported at the top of this module: every command line
# start pays for it. The error types below are imported when an error is to be told.

__all__ = [
    "OPERATOR_KEY",
    "SESSION_FILE",
    "console",
    "errors",
    "fail",
    "principal",
    "print_json",
    "read_csv",
    "refusal",
    "services",
    "settings",
]

SESSION_FILE = "cli-session"  # in the data directory: the token `qcert login` saved (0600)
OPERATOR_KEY = "operator.key"  # in the keys directory: the operator's key `qcert init` drew

# No markup: printed text (rule ids in brackets, user content) is shown as it is.
console = Console(highlight=False, soft_wrap=True, markup=False)
_stderr = Console(stderr=True, highlight=False, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def settings(ctx: typer.Context) -> Settings:
    """Settings from the global options of ``qcert``."""
    obj = ctx.find_root().obj or {}
    return Settings.from_env(obj.get("data_dir"), obj.get("database_url"))


def services(ctx: typer.Context) -> Services:
    """The installation's services, wired once for this command (see ``qcert.bootstrap``)."""
    from ..bootstrap import bootstrap

    root = ctx.find_root()
    root.obj = root.obj or {}
    if "services" not in root.obj:
        svc = bootstrap(settings(ctx))
        root.obj["services"] = svc

        def close() -> None:
            svc.sign_if_appended()
            svc.close()
            root.obj.pop("services", None)

        ctx.call_on_close(close)
    return root.obj["services"]  # type: ignore[no-any-return]


def principal(ctx: typer.Context) -> Principal:
    """Who this command acts as: the account ``qcert login`` signed in, else the installation's
    operator (its key, made by ``qcert init``, readable by the data directory's owner only).
    The ledger records that account; nobody types a name to act as."""
    from ..access import Unauthenticated

    svc = services(ctx)
    session = svc.settings.data_dir / SESSION_FILE
    if session.exists():
        found = svc.identity.session(session.read_text().strip(), "cli")
        if found is None:
            raise Unauthenticated(*said("common.session_ended"))
        return found[0]
    key = svc.settings.keys_dir / OPERATOR_KEY
    if key.exists():
        operator = svc.identity.by_api_key(key.read_text().strip())
        if operator is not None:
            return operator
    raise Unauthenticated(*said("common.sign_in_first"))


class Refusal(QcertError):
    """A command line refusal in both languages: ``str(err)`` in English, ``err.zh`` in zh-CN."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


def refusal(key: str, /, **fields: object) -> Refusal:
    """The error to raise for the refusal ``key`` of the ``cli`` catalogs with ``fields``
    filled in, told in English and Chinese (shown on two lines)."""
    return Refusal(*said(key, **fields))


def _led(key: str, colour: str, message: str) -> None:
    """Print ``message`` on stderr after the lead ``key`` in both languages (``error / 错误:``),
    its further lines (the Chinese of a two-line error) set under its first."""
    lead = both(key) + ":"
    under = "\n" + " " * (cell_len(lead) + 1)
    text = under.join(message.splitlines())
    line = f"[{colour}]{escape(lead)}[/{colour}] {escape(text)}"
    _stderr.print(line, markup=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error / 错误: message`` on stderr and return the exit to raise."""
    _led("common.error", "red", message)
    return typer.Exit(code)


def warn(message: str) -> None:
    """Print ``warning / 警告: message`` on stderr (something owed, not a failure)."""
    _led("common.warning", "yellow", message)


def errors(fn: F) -> F:
    """Turn expected failures into a one-line message and exit status 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as err:
            message = _told(err)
            if message is None:
                raise
            raise fail(message) from None

    return wrapper  # type: ignore[return-value]


def _told(err: Exception) -> str | None:
    """The message for an expected failure, or None for one that is a bug (left to raise)."""
    from sqlalchemy.exc import OperationalError

    from ..access import Forbidden, Unauthenticated
    from ..ledger import LedgerError
    from ..schemes import RuleViolation, SchemeError

    if isinstance(err, RuleViolation):
        return f"{err.en} [{err.rule}, {err.source}]\n{err.zh}"
    if isinstance(err, Forbidden | Unauthenticated):
        rule = f" [{err.rule}]" if isinstance(err, Forbidden) else ""
        return f"{err}{rule}\n{err.zh}"
    if isinstance(err, LedgerError | QcertError | SchemeError):
        zh = chinese(err)
        # A message told as "en / 中文" already holds its Chinese.
        return f"{err}\n{zh}" if zh and zh not in str(err) else str(err)
    if isinstance(err, OperationalError):
        first = str(err.orig).strip().splitlines()[0]
        return two_lines("common.database_unavailable", error=first)
    if isinstance(err, BrokenPipeError):
        # the reader went away (`qcert keys show | head -1`): not an error to tell; Typer's
        # main quiets stdout and exits, as a pipeline expects
        return None
    if isinstance(err, OSError):
        return two_lines("common.file_unavailable", path=err.filename or "", error=err.strerror)
    return None


def ok(text: str) -> Text:
    """``OK`` in green, then ``text``."""
    return Text.assemble(("OK", "green"), " ", text)


def bad(text: str) -> Text:
    """``FAIL`` in red, then ``text``."""
    return Text.assemble(("FAIL", "red"), " ", text)


def print_json(value: Any) -> None:
    """Print ``value`` as JSON on stdout (no colour, no wrapping)."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def read_file(path: Path, limit: int | None = None) -> bytes:
    """Bytes of ``path``, or a clear error naming it; with ``limit`` (bytes), a larger file
    is refused before it is read."""
    try:
        with path.open("rb") as f:
            if limit is None:
                return f.read()
            data = f.read(limit + 1)
    except OSError as err:
        raise refusal("common.cannot_read", path=path, error=err.strerror) from None
    if len(data) > limit:
        raise QcertError(f"{path}: " + both("common.too_large", limit=limit))
    return data


def read_csv(path: Path, label: str) -> Any:
    """The CSV file at ``path`` as a pandas data frame, or a one-line error led by ``label``."""
    # imported here: pandas takes seconds to load, which commands without a CSV need not pay
    import pandas as pd

    try:
        return pd.read_csv(path)
    except ValueError as err:  # parser errors, an empty file, bytes that are not text
        raise refusal("common.unreadable_csv", label=label, error=err) from None
