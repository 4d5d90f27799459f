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

from ..locale.problems import problem
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
            en, zh = problem("schema.controls")
            raise PydanticCustomError("qcert_text", en, {"zh": zh})
    return value


def _in_range(day: date) -> date:
    if not FIRST_DAY <= (day.date() if isinstance(day, datetime) else day) <= LAST_DAY:
        en, zh = problem("schema.day_range", first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())
        raise PydanticCustomError("qcert_day", en, {"zh": zh})
    return day


def _zoned(at: datetime) -> datetime:
    if at.tzinfo is None:
        en, zh = problem("schema.zone")
        raise PydanticCustomError("qcert_zone", en, {"zh": zh})
    return at


def _finite(value: float) -> float:
    if not math.isfinite(value):
        en, zh = problem("schema.finite")
        raise PydanticCustomError("qcert_finite", en, {"zh": zh})
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


# What each kind of validation error (pydantic's ``type``) says in Chinese: a key of the
# catalogs (``locale.problems``), filled from the error's context. The English is pydantic's
# own message (the catalogs' English says the same for translators).
_PROBLEMS = {
    "missing": "schema.missing",
    "string_type": "schema.string",
    "string_too_long": "schema.string_too_long",
    "string_too_short": "schema.string_too_short",
    "string_pattern_mismatch": "schema.pattern",
    "int_type": "schema.integer",
    "int_parsing": "schema.integer",
    "int_from_float": "schema.integer",
    "bool_type": "schema.boolean",
    "bool_parsing": "schema.boolean",
    "float_type": "schema.number",
    "float_parsing": "schema.number",
    "finite_number": "schema.finite",
    "greater_than_equal": "schema.greater_or_equal",
    "less_than_equal": "schema.less_or_equal",
    "greater_than": "schema.greater",
    "less_than": "schema.less",
    "too_long": "schema.too_many_items",
    "too_short": "schema.too_few_items",
    "list_type": "schema.list",
    "tuple_type": "schema.list",
    "dict_type": "schema.object",
    "date_type": "schema.date",
    "date_parsing": "schema.date",
    "date_from_datetime_parsing": "schema.date",
    "date_from_datetime_inexact": "schema.date",
    "datetime_type": "schema.datetime",
    "datetime_parsing": "schema.datetime",
    "datetime_from_date_parsing": "schema.datetime",
    "json_invalid": "schema.json",
    "model_type": "schema.object",
    "dataclass_type": "schema.object",
    "dataclass_exact_type": "schema.object",
    "extra_forbidden": "schema.extra",
    "unexpected_keyword_argument": "schema.server_decides",
    "enum": "schema.one_of",
    "literal_error": "schema.one_of",
    "value_error": "schema.invalid",
    "recursion_loop": "schema.nested_too_deep",
    "string_unicode": "schema.unicode",
}
# Patterns said in words (keys of the catalogs): a regular expression means nothing to most
# users.
_PATTERNS = {
    Id.__metadata__[0].pattern: "schema.id",
    Sha256.__metadata__[0].pattern: "schema.sha256",
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
        en, zh = problem(_PATTERNS[ctx["pattern"]])
    elif "zh" in ctx:
        zh = str(ctx["zh"])
    else:
        key = _PROBLEMS.get(str(first.get("type")), "schema.invalid_said")
        try:
            _, zh = problem(key, msg=en, **{k: v for k, v in ctx.items() if k != "msg"})
        except (KeyError, IndexError):
            _, zh = problem("schema.invalid")
    return refuse("input.invalid", field=where or "(body)", problem=en, problem_zh=zh)
