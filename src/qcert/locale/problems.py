"""What a refusal of bad input says about the value, in zh-CN and en.

A check that refuses an input (``input.invalid``) names the field and says what is wrong with
its value in both languages. The sentences are in the gettext catalogs (domain
``locale.problems``), keyed by a stable id (``text.empty``, ``time.no_zone``), so a translator
works on them there and the code keeps only the key and the values it fills in. The words a
rule's refusal fills in are here too (``stage.of_audit``, ``team.member``, what a decision
rule found missing: ``unmet.*``), and what a request-schema error says (``schema.*``). Like
``locale.names``, this module imports nothing but the catalogs' reader, so any part may use it.

A field ``x`` fills ``{x}`` in both languages; a Chinese sentence's ``{x_zh}`` is ``x_zh``
where given, else the word of the code value ``x`` (``suspended`` -> 暂停), or, for a collection of
codes, the codes with their words (``'major'（严重不符合）、'minor'（轻微不符合）``). A list
fills ``{x}`` joined by ``, `` in English and ``、`` in Chinese.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from . import messages as from_catalogs
from .names import choices, value_word

__all__ = ["MESSAGES", "problem"]

# key -> (zh-CN, en)
MESSAGES = from_catalogs(__name__)


def _many(value: object) -> bool:
    return isinstance(value, Collection) and not isinstance(value, str | bytes)


def _joined(value: object, sep: str) -> object:
    return sep.join(map(str, value)) if _many(value) else value  # type: ignore[call-overload]


class _Fill(dict[str, object]):
    """The fields of one language; a Chinese ``x_zh`` not given is ``x`` in words."""

    def __init__(self, fields: Mapping[str, object], lang: str) -> None:
        sep = "、" if lang == "zh-CN" else ", "
        super().__init__({k: _joined(v, sep) for k, v in fields.items()})
        self._raw, self._lang = fields, lang

    def __missing__(self, key: str) -> object:
        base = key.removesuffix("_zh")
        if self._lang != "zh-CN" or key == base or base not in self._raw:
            raise KeyError(key)
        value = self._raw[base]
        return choices(value) if _many(value) else value_word(value)


def problem(key: str, /, **fields: object) -> tuple[str, str]:
    """The problem ``key`` with ``fields`` filled in, ``(en, zh-CN)``; a key the catalogs do
    not have, or a field its sentence names and ``fields`` lacks, is a ``KeyError``."""
    zh, en = MESSAGES[key]
    return en.format_map(_Fill(fields, "en")), zh.format_map(_Fill(fields, "zh-CN"))
