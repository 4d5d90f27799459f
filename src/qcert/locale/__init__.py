"""The words people read, kept in gettext catalogs a translator can work on.

Each module that holds user-facing words has its own gettext domain, named after the module
(``qcert.web.body_text`` -> ``web.body_text``), with one catalog per language:
``locale/zh_CN/LC_MESSAGES/web.body_text.po`` and ``locale/en/LC_MESSAGES/web.body_text.po``.
The message id is the key the code and the templates use (``nav.home``); a module with more
than one table keeps the others apart by message context (``msgctxt "EVENT_LABELS"``).
Catalogs are read as ``.po`` files, so the installed package needs no compile step; a
missing translation falls back to the other language, and a test finds it before that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from string import Formatter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

__all__ = [
    "LOCALES",
    "ROOT",
    "Table",
    "catalog",
    "catalog_path",
    "domain_of",
    "domains",
    "fill_zh",
    "join_zh",
    "messages",
]

ROOT = Path(__file__).parent

# The platform's language tags and the gettext locale directory of each, in (zh-CN, en) order.
LOCALES: dict[str, str] = {"zh-CN": "zh_CN", "en": "en"}


def domain_of(module: str) -> str:
    """The gettext domain of a module's words: its dotted name inside the package."""
    return module.removeprefix("qcert.")


def catalog_path(domain: str, lang: str, root: Path | None = None) -> Path:
    """Where the catalog of ``domain`` in ``lang`` (``zh-CN`` or ``en``) lives, under ``root``
    (default this package's directory)."""
    return (root or ROOT) / LOCALES[lang] / "LC_MESSAGES" / f"{domain}.po"


def domains() -> list[str]:
    """Every domain that has a catalog in any language."""
    found = {p.stem for lang in LOCALES for p in catalog_path("x", lang).parent.glob("*.po")}
    return sorted(found)


@cache
def catalog(domain: str, lang: str) -> Catalog:
    """The catalog of ``domain`` in ``lang`` as Babel reads it (an empty one if there is none)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = catalog_path(domain, lang)
    if not path.exists():
        return Catalog(locale=LOCALES[lang], domain=domain)
    with path.open("rb") as handle:
        return read_po(handle, locale=LOCALES[lang], domain=domain, ignore_obsolete=True)


def _text(found: Catalog, key: str, context: str | None) -> str:
    message = found.get(key, context)
    if message is None or message.fuzzy or not isinstance(message.string, str):
        return ""
    return message.string


def _read(module: str, context: str | None) -> dict[str, tuple[str, str]]:
    domain = domain_of(module)
    zh, en = catalog(domain, "zh-CN"), catalog(domain, "en")
    keys = [m.id for m in zh if m.id and m.context == context]
    keys += [m.id for m in en if m.id and m.context == context and zh.get(m.id, context) is None]
    out: dict[str, tuple[str, str]] = {}
    for key in keys:
        zh_text, en_text = _text(zh, key, context), _text(en, key, context)
        # An untranslated entry shows the other language rather than a raw key.
        out[key] = (zh_text or en_text, en_text or zh_text)
    return out


class Table(Mapping[str, tuple[str, str]]):
    """A module's table ``key -> (zh-CN, en)``, read from the catalogs when first used, so
    importing a module (the command line imports many) parses nothing it does not show."""

    def __init__(self, module: str, context: str | None) -> None:
        self._module, self._context = module, context
        self._words: dict[str, tuple[str, str]] | None = None

    def _table(self) -> dict[str, tuple[str, str]]:
        if self._words is None:
            self._words = _read(self._module, self._context)
        return self._words

    def __getitem__(self, key: str) -> tuple[str, str]:
        return self._table()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())

    def __repr__(self) -> str:
        return f"Table({self._module!r}, {self._context!r})"


def messages(module: str, context: str | None = None) -> Mapping[str, tuple[str, str]]:
    """The table ``key -> (zh-CN, en)`` that ``module`` keeps in the catalogs (its messages
    without context, or those of ``context``), in the order of the zh-CN catalog; read when
    first used."""
    return Table(module, context)


# A Chinese character or full-width punctuation: no space is set between two of them.
_HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_FORMATTER = Formatter()


def _joins(left: str, right: str) -> bool:
    return bool(left and right and _HAN.match(left[-1]) and _HAN.match(right[0]))


def fill_zh(text: str, fields: Mapping[str, object]) -> str:
    """A Chinese message ``text`` with its placeholders filled from ``fields``, as
    ``text.format_map(fields)`` does, but without the space the catalog sets beside a
    placeholder where the word filled in and its neighbour are both Chinese: ``仅 {body} 的``
    reads ``仅 b1 的`` for an id and ``仅华信认证的`` for a name (a space sets off digits,
    ids and Latin words in Chinese text, never one Chinese word from the next)."""
    pieces: list[str] = []
    for literal, name, spec, conversion in _FORMATTER.parse(text):
        pieces.append(literal)
        if name is None:
            continue
        value, _ = _FORMATTER.get_field(name, (), fields)
        value = _FORMATTER.convert_field(value, conversion)
        pieces.append(_FORMATTER.format_field(value, _FORMATTER.vformat(spec or "", (), fields)))
    return join_zh(pieces)


def join_zh(pieces: list[str]) -> str:
    """Chinese text from ``pieces`` that alternate the text's own words (even places) and the
    words filled in (odd places), dropping a space of the text's own that stands between a
    Chinese word filled in and a Chinese neighbour (see :func:`fill_zh`)."""
    out = list(pieces)
    for i in range(0, len(out), 2):
        literal = out[i]
        before = out[i - 1] if i else ""
        after = out[i + 1] if i + 1 < len(out) else ""
        core = literal.strip(" ")
        if not core:  # only spaces between two filled words (or none)
            out[i] = "" if literal and _joins(before, after) else literal
            continue
        if literal.startswith(" ") and _joins(before, core):
            literal = literal.lstrip(" ")
        if literal.endswith(" ") and _joins(core, after):
            literal = literal.rstrip(" ")
        out[i] = literal
    return "".join(out)
