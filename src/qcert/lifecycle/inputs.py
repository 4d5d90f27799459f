"""Bounded input types, and every malformed input refused naming its field in en and zh-CN.

Commands declare their fields with these types; the bus validates each command against
them before anything reads it, whichever face built it, and the API validates requests
with the same types. A value that would overflow a date, a database integer or a column,
a text with control characters or half of a surrogate pair, or a number that is not
finite never reaches the domain: it is an ``input.invalid`` refusal, never a server error.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any

from annotated_types import Ge, Le, MaxLen
from pydantic import AfterValidator, Field, Strict, StringConstraints, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from ..schemes import RuleViolation
from .rules import refuse

__all__ = [
    "Code",
    "Count",
    "Day",
    "Days",
    "Id",
    "Instant",
    "Latitude",
    "Long",
    "Longitude",
    "Name",
    "Note",
    "Password",
    "Percent",
    "Real",
    "Secret",
    "Sector",
    "Sha256",
    "Site",
    "Text",
    "Word",
    "has_controls",
    "refusal_of",
    "validate",
]

# Days a person can mean: earlier or later dates are typing mistakes, and anything near the
# end of year 9999 overflows the moment a validity period or a deadline is added to it.
FIRST_DAY, LAST_DAY = date(1950, 1, 1), date(2199, 12, 31)
# Control characters text may hold: tab, line feed, carriage return.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a control character (Unicode category Cc: NUL, escapes, DEL,
    tab and line breaks too): no id, number, name or one-line search does, and PostgreSQL
    refuses NUL in any text it is given."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _clean_text(value: str) -> str:
    """Refuse NUL and other control characters and lone surrogates (which no database
    encoding can store, and which would otherwise fail only when the event is written)."""
    for ch in value:
        category = unicodedata.category(ch)
        if (category == "Cc" and ch not in _ALLOWED_CONTROLS) or category == "Cs":
            raise PydanticCustomError(
                "qcert_text",
                "must not contain control characters or unpaired surrogates",
                {"zh": "不能包含控制字符或不成对的代理字符"},
            )
    return value


def _in_range(day: date) -> date:
    if not FIRST_DAY <= (day.date() if isinstance(day, datetime) else day) <= LAST_DAY:
        raise PydanticCustomError(
            "qcert_day",
            "must lie between {first} and {last}",
            {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat(), "zh": ""},
        )
    return day


def _zoned(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise PydanticCustomError(
            "qcert_zone", "must carry a time zone (Z or +08:00)", {"zh": "须带时区（Z 或 +08:00）"}
        )
    return at


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise PydanticCustomError("qcert_finite", "must be a finite number", {"zh": "须为有限数值"})
    return value


def Text(limit: int = 500) -> Any:
    """A string of at most ``limit`` characters without control characters."""
    return Annotated[str, StringConstraints(max_length=limit), AfterValidator(_clean_text)]


Word = Text(32)  # a keyword: a grade, an outcome, a kind
# A media type: RFC 6838, 4.2 allows 127 characters each side of the "/"; Office Open XML's
# are up to 71 (the document store checks it is one of those taken).
MediaType = Text(128)
Name = Text(200)
Note = Text(500)
Long = Text(5000)

# Identifiers users and systems choose: letters, digits and . _ - (the ledger's aggregate key
# holds "<kind>:<id>" in 120 characters, so 64 leaves room for every kind).
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Code = Annotated[str, StringConstraints(max_length=64), AfterValidator(_clean_text)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Password = Annotated[str, StringConstraints(min_length=12, max_length=1024)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
Count = Annotated[int, Strict(), Ge(0), Le(1_000_000_000)]
Sector = Annotated[int, Strict(), Ge(1), Le(39)]
Real = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_finite), Ge(-1e12), Le(1e12)]
Days = Annotated[float, Field(allow_inf_nan=False), Ge(0), Le(10_000)]
Percent = Annotated[float, Field(allow_inf_nan=False), Ge(0), Le(100)]
Latitude = Annotated[float, Field(allow_inf_nan=False), Ge(-90), Le(90)]
Longitude = Annotated[float, Field(allow_inf_nan=False), Ge(-180), Le(180)]
Day = Annotated[date, AfterValidator(_in_range)]
Instant = Annotated[datetime, AfterValidator(_zoned), AfterValidator(_in_range)]
Scalar = (
    Annotated[bool, Strict()]
    | Annotated[int, Strict(), Ge(-1_000_000_000), Le(1_000_000_000)]
    | Annotated[float, Field(allow_inf_nan=False)]
    | Text(2000)
    | None
)
# A site as given at registration: its fields (id, name, address, adcode, lat, lon, ...) are
# checked by the domain; here they are bounded.
Site = Annotated[dict[Annotated[str, MaxLen(32)], Scalar], MaxLen(20)]


@cache
def _adapter(kind: type) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def validate(command: Any) -> Any:
    """``command`` checked against its declared field types (a new, validated instance);
    an ``input.invalid`` refusal naming the first field that fails."""
    try:
        return _adapter(type(command)).validate_python(_fields(command))
    except ValidationError as err:
        raise refusal_of(err.errors()) from None


def _fields(command: Any) -> dict[str, Any]:
    # Shallow on purpose: asdict would deep-copy (and recurse into) whatever a caller passed.
    return {f.name: getattr(command, f.name) for f in dataclasses.fields(command)}


_ZH = {
    "missing": "缺少此字段",
    "string_type": "须为字符串",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "string_pattern_mismatch": "格式不正确（须匹配 {pattern}）",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "bool_type": "须为 true 或 false",
    "bool_parsing": "须为 true 或 false",
    "float_type": "须为数字",
    "float_parsing": "须为数字",
    "finite_number": "须为有限数值",
    "greater_than_equal": "须不小于 {ge}",
    "less_than_equal": "须不大于 {le}",
    "greater_than": "须大于 {gt}",
    "less_than": "须小于 {lt}",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "list_type": "须为列表",
    "tuple_type": "须为列表",
    "dict_type": "须为对象",
    "date_type": "须为日期（YYYY-MM-DD）",
    "date_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "须为日期（YYYY-MM-DD）",
    "datetime_type": "须为 ISO 8601 时间",
    "datetime_parsing": "须为 ISO 8601 时间",
    "datetime_from_date_parsing": "须为 ISO 8601 时间",
    "json_invalid": "不是合法的 JSON",
    "model_type": "须为对象",
    "dataclass_type": "须为对象",
    "dataclass_exact_type": "须为对象",
    "extra_forbidden": "不允许此字段",
    "unexpected_keyword_argument": "此命令没有该字段（由服务器决定的值不能由调用者指定）",
    "enum": "须为 {expected} 之一",
    "literal_error": "须为 {expected} 之一",
    "value_error": "取值无效",
    "recursion_loop": "嵌套过深",
    "string_unicode": "须为合法的 Unicode 文本（不能含不成对的代理字符）",
}
# Patterns said in words: a regular expression means nothing to most users.
_PATTERNS = {
    Id.__metadata__[0].pattern: (
        "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        "须为 1-64 个字母、数字、'.'、'_' 或 '-'，并以字母或数字开头",
    ),
    Sha256.__metadata__[0].pattern: (
        "64 lowercase hexadecimal digits",
        "须为 64 位小写十六进制数字",
    ),
}


_UNION_MEMBER = re.compile(
    r"\.(?:function-after|constrained-str|str|int|float|bool|none)\[[^\]]*\]"
)


def refusal_of(errors: list[Any]) -> RuleViolation:
    """The ``input.invalid`` refusal of a list of validation errors (pydantic's shape),
    naming the first error's field, in en and zh-CN."""
    first = errors[0] if errors else {"loc": (), "msg": "invalid", "type": "value_error"}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    # Union members appear in the location as type names: they mean nothing to a user.
    where = re.sub(_UNION_MEMBER, "", where)
    ctx = first.get("ctx") or {}
    en = str(first.get("msg", "invalid"))
    if first.get("type") == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERNS:
        en, zh = _PATTERNS[ctx["pattern"]]
    elif first.get("type") == "qcert_day":
        zh = f"须在 {ctx.get('first')} 与 {ctx.get('last')} 之间"
    elif "zh" in ctx:
        zh = str(ctx["zh"])
    else:
        template = _ZH.get(str(first.get("type")), "取值无效：{msg}")
        try:
            zh = template.format(msg=en, **{k: v for k, v in ctx.items() if k != "msg"})
        except (KeyError, IndexError):
            zh = "取值无效"
    return refuse("input.invalid", field=where or "(body)", problem=en, problem_zh=zh)
