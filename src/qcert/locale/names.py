"""The names of field ids and code values, in zh-CN and en, for every face and part.

A refusal names its field by id in the JSON it answers with (``field``, ``rule``), and in
words in its sentences: the words are these (``field.<id>``, ``value.<code>``), so the API,
the command line and the pages say a field or a status the same way. The table is kept in the
gettext catalogs (domain ``locale.names``); this module imports nothing but the catalogs'
reader, so any part may use it.
"""

from __future__ import annotations

from . import messages as from_catalogs

__all__ = ["MESSAGES", "choices", "field_label", "value_word"]

# key -> (zh-CN, en)
MESSAGES = from_catalogs(__name__)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh-CN" else pair[1]


def _segment(name: str, lang: str) -> str:
    # An entry of a keyed list keeps its key: targets[t1] -> 检查对象[t1].
    key, bracket, rest = name.partition("[")
    pair = MESSAGES.get(f"field.{key}")
    return (_pick(pair, lang) + bracket + rest) if pair else name


def field_label(name: str, lang: str = "zh-CN") -> str:
    """A field by the name its form gives it in ``lang`` (``planned_days`` -> 计划审核人日), or
    its id when it has none; a path into a list (``sites.0.adcode``) names each step and the
    item counted from one (场所第 1 项的行政区划代码)."""
    if "." not in name:
        return _segment(name, lang)
    out = ""
    for part in name.split("."):
        if part.isdecimal():  # not isdigit: "²" is a digit int() cannot read
            out += f"第 {int(part) + 1} 项" if lang == "zh-CN" else f"[{int(part) + 1}]"
        elif out:
            out += f"的{_segment(part, lang)}" if lang == "zh-CN" else f".{_segment(part, lang)}"
        else:
            out = _segment(part, lang)
    return out


def value_word(value: object, lang: str = "zh-CN") -> str:
    """A code value by its word in ``lang`` (``suspended`` -> 暂停, ``open`` -> 待处理), or
    the value as it is when it is not a code."""
    pair = MESSAGES.get(f"value.{value}")
    return _pick(pair, lang) if pair else str(value)


def choices(values: object, lang: str = "zh-CN") -> str:
    """The codes a field takes, each quoted as it is typed and, where it has one, with its
    word (``'major'（严重不符合）、'minor'（轻微不符合）``)."""
    out = []
    for value in values:  # type: ignore[attr-defined]
        word = value_word(value, lang)
        out.append(f"'{value}'" if word == str(value) else f"'{value}'（{word}）")
    return "、".join(out) if lang == "zh-CN" else ", ".join(out)
