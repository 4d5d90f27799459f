"""The words the command line prints, kept in the gettext catalogs of the domain ``cli``.

Each message is keyed by the command module that prints it and what it says
(``evidence.registered``); the code names the key and the values it fills in, and a
translator edits both languages in ``locale/{zh_CN,en}/LC_MESSAGES/cli.po``. The catalogs are
read when the first message is printed, never when a command module is imported: ``qcert
--help`` parses none of them (the options' own help stays written beside each option, as Typer
needs it when the module loads).
"""

from __future__ import annotations

from ..locale import fill_zh
from ..locale import messages as from_catalogs

__all__ = ["WORDS", "both", "said", "two_lines"]

# key -> (zh-CN, en); read when first used
WORDS = from_catalogs("qcert.cli")


def _joined(value: object, sep: str) -> object:
    return sep.join(map(str, value)) if isinstance(value, list | tuple) else value


class _Zh(dict[str, object]):
    """The Chinese sentence's fields: ``{x_zh}`` is ``x_zh`` where given, else ``x``."""

    def __missing__(self, key: str) -> object:
        if key.endswith("_zh") and key.removesuffix("_zh") in self:
            return self[key.removesuffix("_zh")]
        raise KeyError(key)


def said(key: str, /, **fields: object) -> tuple[str, str]:
    """The message ``key`` with ``fields`` filled in, ``(en, zh-CN)``; a list or tuple fills
    its place joined by ``, `` in English and ``、`` in Chinese. A key the catalogs do not
    have, or a place the call does not fill, is a ``KeyError``."""
    zh, en = WORDS[key]
    in_en = {k: _joined(v, ", ") for k, v in fields.items()}
    in_zh = _Zh({k: _joined(v, "、") for k, v in fields.items()})
    return en.format_map(in_en), fill_zh(zh, in_zh)


def both(key: str, /, **fields: object) -> str:
    """The message ``key`` in both languages on one line: ``en / zh-CN``."""
    en, zh = said(key, **fields)
    return f"{en} / {zh}"


def two_lines(key: str, /, **fields: object) -> str:
    """The message ``key`` in English, then in Chinese on a line of its own, set under the
    English after an ``error:`` lead (as every one-line error of the command line is told)."""
    en, zh = said(key, **fields)
    return f"{en}\n       {zh}"
