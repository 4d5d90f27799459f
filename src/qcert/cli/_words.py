"""The words the command line prints, kept in the gettext catalogs of the domain ``cli``.

Each message is keyed by the command module that prints it and what it says
(``evidence.registered``); the code names the key and the values it fills in, and a
translator edits both languages in ``locale/{zh_CN,en}/LC_MESSAGES/cli.po``. The catalogs are
read when the first message is printed, never when a command module is imported: ``qcert
--help`` parses none of them (the options' own help stays written beside each option, as Typer
needs it when the module loads).
"""

from __future__ import annotations

from string import Formatter

from ..locale import fill_zh
from ..locale import messages as from_catalogs

__all__ = ["WORDS", "both", "header", "said", "two_lines"]

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
    """The message ``key`` in English, then in Chinese on a line of its own (the error's lead
    sets the second line under the first, as every one-line error of the command line is told)."""
    en, zh = said(key, **fields)
    return f"{en}\n{zh}"


class _Cells(Formatter):
    """``str.format`` that pads to a width in terminal cells: a Chinese character takes two,
    so a header in Chinese lines up with the rows of figures under it."""

    def format_field(self, value: object, format_spec: str) -> str:
        from rich.cells import cell_len

        text = str(value)
        align, width = format_spec[:1], format_spec[1:]
        gap = max(int(width or 0) - cell_len(text), 0)
        return " " * gap + text if align == ">" else text + " " * gap


def header(template: str, /, *keys: str) -> tuple[str, str]:
    """A table's header row in English and in Chinese, a line each: the words of ``keys``
    placed by ``template`` (``"{0:<12} {1:>14}"``: only ``<`` or ``>`` and a width), the
    template the table's rows are formatted with."""
    en, zh = zip(*(said(key) for key in keys), strict=True)
    cells = _Cells()
    return cells.format(template, *en), cells.format(template, *zh)
