"""The reading payload, version 1: one device's readings in one MQTT message or HTTP item.

Published as JSON Schema (draft 2020-12) at ``GET /evidence/v1/schema`` and kept as
``docs/evidence/reading-v1.schema.json``. A message is validated once, as a whole, before
anything of it is read (国市监认证发〔2025〕72号 (三): real-time online collection of process
parameters and data). Every size is bounded here: bytes per message, readings per message,
variables per reading, the length of every name.

Each reading becomes a leaf of its device's window tree by its canonical bytes (RFC 8785):
``{"device", "quality"?, "seq", "time", "values"}`` with the time in UTC to the microsecond.
"""

from __future__ import annotations

import contextlib
import json
import math
from array import array
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import chain
from operator import itemgetter
from typing import (
    Annotated,
    Any,
    Literal,
    NotRequired,  # pydantic needs these before 3.12
)

import pydantic_core
import rfc8785
from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import (
    AllowInfNan,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Strict,
    StringConstraints,
    TypeAdapter,
    model_validator,
)
from typing_extensions import TypedDict

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_BYTES",
    "MAX_READINGS",
    "MAX_VARIABLES",
    "Reading",
    "ReadingMessage",
    "TakenMessage",
    "canonical_reading",
    "canonical_rows",
    "canonical_text",
    "canonical_texts",
    "instants",
    "json_schema",
    "micros",
    "utc_text",
    "value_table",
]

MAX_BYTES = 256 * 1024  # bytes of one message
MAX_READINGS = 1000  # readings in one message
MAX_VARIABLES = 200  # variables of one reading (and units of one message)
MAX_SEQ = 2**53 - 1  # I-JSON (RFC 7493) integers: exact in every JSON reader, and in RFC 8785

# Names as they appear in topics and in canonical bytes: plain ASCII, so they need no escaping
# in JSON and sort the same in UTF-16 (RFC 8785 3.2.3) as in Python.
DeviceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Variable = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]
Unit = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]{1,32}$")]
Number = Annotated[float, Strict(), AllowInfNan(False)]
Quality = Literal["good", "uncertain", "bad"]
Seq = Annotated[int, Strict(), Ge(0), Le(MAX_SEQ)]
Signature = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{86}==$")]
Values = Annotated[dict[Variable, Number], MinLen(1), MaxLen(MAX_VARIABLES)]
Qualities = Annotated[dict[Variable, Quality], MaxLen(MAX_VARIABLES)]


class Reading(TypedDict):
    """One reading: its sequence number on the device (0 upwards, never reused), when it was
    taken (RFC 3339 with its offset), each variable's value, and optionally its quality."""

    # A typed dict, not a model: a message of 1,000 readings is validated into plain dicts
    # (one validation of the message, no object per reading).
    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    seq: Seq
    time: AwareDatetime
    values: Values
    quality: NotRequired[Qualities]


class ReadingMessage(BaseModel):
    """One device's readings: ``readings`` (1 to 1,000), or one reading's fields at the top
    level; ``units`` names the unit of every variable sent, as registered; ``signature`` is
    the device's Ed25519 signature (base64) over the RFC 8785 bytes of the message without it."""

    model_config = ConfigDict(
        extra="forbid",
        title="qcert reading message v1",
        json_schema_extra={"$id": "https://qcert.dev/schemas/evidence/reading-v1.json"},
    )

    device: DeviceId
    units: Annotated[dict[Variable, Unit], MaxLen(MAX_VARIABLES)]
    readings: Annotated[list[Reading], MinLen(1), MaxLen(MAX_READINGS)] | None = None
    seq: Seq | None = None
    time: AwareDatetime | None = None
    values: Values | None = None
    quality: Qualities | None = None
    signature: Signature | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ReadingMessage:
        single = (self.seq, self.time, self.values)
        if self.readings is not None:
            if any(v is not None for v in (*single, self.quality)):
                raise ValueError("either readings or one reading's fields, not both")
        elif any(v is None for v in single):
            raise ValueError("readings, or seq, time and values of one reading, are required")
        return self

    def all_readings(self) -> list[Reading]:
        """The message's readings, in the order sent."""
        if self.readings is not None:
            return self.readings
        assert self.seq is not None and self.time is not None and self.values is not None
        one = Reading(seq=self.seq, time=self.time, values=self.values)
        if self.quality is not None:
            one["quality"] = self.quality
        return [one]


# A value under any name: the intake matches a message's names once, against its units.
AnyValues = Annotated[dict[str, Number], MinLen(1), MaxLen(MAX_VARIABLES)]


class _AnyNamedReading(TypedDict):
    """:class:`Reading`, its values under any name and its time as sent."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    seq: Seq
    time: Annotated[str, MaxLen(64)]
    values: AnyValues
    quality: NotRequired[Qualities]


class TakenMessage(ReadingMessage):
    """:class:`ReadingMessage` as the intake validates it first. A value's name is not
    matched against the pattern a name follows, one match per value of every reading: the
    intake checks instead that the message's units, whose names are matched, name every
    variable sent (a handful of names a message). A reading's time is kept as sent, and
    read as :class:`ReadingMessage` reads it once per distinct text (:func:`instants`):
    readings often share one, and an aware datetime per reading costs more to make and hash
    than the check it stands for. A message that fails here, or names a variable outside
    its units, is validated as :class:`ReadingMessage`, so that it is refused for what it
    was refused for before (or taken, for a time sent as a number)."""

    readings: Annotated[list[_AnyNamedReading], MinLen(1), MaxLen(MAX_READINGS)] | None = None  # type: ignore[assignment]
    values: AnyValues | None = None


_INSTANT: TypeAdapter[datetime] = TypeAdapter(AwareDatetime)


def instants(taken: Sequence[str | datetime]) -> list[int]:
    """Readings' times (as :class:`TakenMessage` keeps them, or aware) as µs since the epoch,
    each distinct text read once by the validator :class:`ReadingMessage` uses (as a JSON
    string is). ValidationError for a text it refuses."""
    # No conversion to UTC first (the difference from the epoch is UTC's already):
    # 9999-12-31T23:59-14:00 has no UTC datetime, and must be refused by its time, not raise.
    stamps = {
        at: micros(at if isinstance(at, datetime) else _INSTANT.validate_strings(at))
        for at in set(taken)
    }
    return list(map(stamps.__getitem__, taken))


def json_schema() -> dict[str, Any]:
    """The payload's JSON Schema (draft 2020-12), as published."""
    schema = ReadingMessage.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def micros(at: datetime) -> int:
    """``at`` (aware) as whole microseconds since 1970-01-01T00:00:00Z."""
    return (at - _EPOCH) // _MICRO


EARLIEST = micros(datetime(2000, 1, 1, tzinfo=UTC))  # readings before 2000 are absurd
LATEST = micros(datetime.max.replace(tzinfo=UTC))  # the last instant a UTC time can spell


def value_table(values: list[dict[str, float]]) -> tuple[tuple[str, ...], array[float], bool]:
    """Readings' values as one table: the names, the values row by row (NaN where a reading
    has no value), and whether every reading has exactly the first one's variables."""
    names = tuple(values[0])
    # Every reading names exactly the first one's variables (the usual message): no look-up
    # of a name can fail, and none is missing.
    if sum(map(len, values)) == len(values) * len(names):
        pick = itemgetter(*names) if len(names) > 1 else lambda v: (v[names[0]],)
        with contextlib.suppress(KeyError):
            return names, array("d", chain.from_iterable(map(pick, values))), True
    names = tuple(dict.fromkeys(chain.from_iterable(values)))
    return names, array("d", [v.get(k, math.nan) for v in values for k in names]), False


_SECONDS: dict[int, str] = {}  # "YYYY-MM-DDTHH:MM:SS" of recent whole seconds


def utc_text(us: int) -> str:
    """Microseconds since the epoch as RFC 3339 UTC with six decimals (``…T08:00:00.000000Z``):
    one spelling per instant, so equal readings have equal bytes."""
    seconds, fraction = divmod(us, 1_000_000)
    head = _SECONDS.get(seconds)
    if head is None:
        if len(_SECONDS) > 4096:  # readings of a batch share their seconds; keep it small
            _SECONDS.clear()
        head = _SECONDS[seconds] = (_EPOCH + timedelta(seconds=seconds)).strftime(
            "%Y-%m-%dT%H:%M:%S"
        )
    return f"{head}.{fraction:06d}Z"


def _number(x: float) -> str:
    """``x`` as RFC 8785 writes it (ECMAScript's Number.prototype.toString, RFC 8785 3.2.2.3).
    Below 1e16 Python's repr gives the same shortest digits without an exponent (an integral
    value with ``.0``, which ECMAScript leaves off); the rest goes to rfc8785."""
    if x == 0:
        return "0"  # -0 too
    text = repr(x)
    if "e" not in text and "n" not in text:
        return text[:-2] if text.endswith(".0") else text
    if not math.isfinite(x):
        raise ValueError("not a finite number")
    return rfc8785.dumps(x).decode()


# Python's JSON encoder (in C) writes floats as repr does; RFC 8785 differs only in leaving
# off an integral value's ".0", writing -0 as 0, and where either uses an exponent.
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False).encode

# A device sends the same variables reading after reading: per set of names (in the order
# sent), the names in RFC 8785 order and a %-template of the object with one %r per value.
_TEMPLATES: dict[tuple[str, ...], tuple[tuple[str, ...], str, int, int]] = {}


def _template(names: tuple[str, ...]) -> tuple[tuple[str, ...], str, int, int]:
    """The sorted names, the template, and how many "e" and "n" the template itself holds."""
    if len(_TEMPLATES) > 4096:  # names come from registered devices; keep the cache small
        _TEMPLATES.clear()
    order = tuple(sorted(names))
    text = "{" + ",".join(f'"{k}":%r' for k in order) + "}"
    found = _TEMPLATES[names] = (order, text, text.count("e"), text.count("n"))
    return found


def _values(values: dict[str, float]) -> str:
    """``values`` as RFC 8785 writes them (names are plain ASCII, so they sort as UTF-16).

    The fast path writes each value with repr, which for a finite float below 1e16 in
    magnitude and not -0 gives ECMAScript's shortest digits (RFC 8785 3.2.2.3) once a
    trailing ".0" is left off; any value written with an exponent ("e"), any non-finite one
    ("inf", "nan") and any "-0.…" goes to the reference path instead, value by value."""
    names = tuple(values)
    order, template, es, ns = _TEMPLATES.get(names) or _template(names)
    text = template % tuple([float(values[k]) for k in order])
    if text.count("e") != es or text.count("n") != ns or ":-0." in text:
        return "{" + ",".join(f'"{k}":{_number(float(values[k]))}' for k in order) + "}"
    # Names hold no "," or "}", so ".0," and ".0}" can only end a value.
    return text.replace(".0,", ",").replace(".0}", "}")


def canonical_reading(
    device: str, seq: int, time_us: int, values: dict[str, float], quality: dict[str, str] | None
) -> bytes:
    """The RFC 8785 bytes of one reading (names are plain ASCII by the schema, so they need no
    escaping); the same as ``rfc8785.dumps`` of the reading's document, only faster."""
    return canonical_text(device, seq, time_us, values, quality).encode()


def canonical_text(
    device: str, seq: int, time_us: int, values: dict[str, float], quality: dict[str, str] | None
) -> str:
    """:func:`canonical_reading` as text (plain ASCII), as the store keeps it."""
    if quality:
        head = f'{{"device":"{device}","quality":{_ENCODE(quality)},"seq":'
    else:
        head = f'{{"device":"{device}","seq":'
    return f'{head}{seq},"time":"{utc_text(time_us)}","values":{_values(values)}}}'


def canonical_texts(device: str, readings: Sequence[Reading], times: Sequence[int]) -> list[str]:
    """:func:`canonical_text` of each of one message's readings as the model validated them
    (values are floats; the device and the names as the schema allows), ``times`` their times
    (µs, each one a UTC time can spell).

    The common message, every reading with the same variables and no quality, is written at
    once from its values (:func:`canonical_rows`); any other reading by reading."""
    n = len(readings)
    if not n:
        return []
    names = tuple(readings[0]["values"])
    values = [r["values"] for r in readings]
    # Every reading has seq, time and values only, and exactly the first one's names.
    if sum(map(len, readings)) == 3 * n and sum(map(len, values)) == n * len(names):
        pick = itemgetter(*names) if len(names) > 1 else lambda v: (v[names[0]],)
        try:
            table = list(chain.from_iterable(map(pick, values)))
        except KeyError:
            table = []
        if table:
            return canonical_rows(device, [r["seq"] for r in readings], times, names, table)
    return [
        canonical_text(device, r["seq"], at, r["values"], r.get("quality"))
        for r, at in zip(readings, times, strict=True)
    ]


# Per device and variables (in RFC 8785 order): the fixed pieces of a reading's text, around
# its seq, its time and each value.
_ROWS: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}


def _row_pieces(device: str, order: tuple[str, ...]) -> tuple[str, ...]:
    if len(_ROWS) > 4096:  # names come from registered devices; keep the cache small
        _ROWS.clear()
    names = [f',"{k}":' for k in order]
    names[0] = f'","values":{{"{order[0]}":'
    found = _ROWS[device, order] = (
        f'{{"device":"{device}","seq":',
        ',"time":"',
        *names,
        "}}\n",
    )
    return found


def canonical_rows(
    device: str,
    seqs: Sequence[int],
    times: Sequence[int],
    names: tuple[str, ...],
    table: Sequence[float],
) -> list[str]:
    """:func:`canonical_text` of each reading of a message whose readings have no quality and
    each exactly the variables ``names`` (in the order sent): ``table`` holds their values row
    by row (finite floats, ``len(seqs) * len(names)`` of them), ``times`` their times (µs, each
    one a UTC time can spell).

    Written at once from the table: pydantic-core's JSON writer writes every value in one
    call (shortest round-trip digits, as repr), and one join puts them in place between the
    fixed pieces of a reading's text, column by column in RFC 8785 order. A table with any
    value written with an exponent or -0 (where RFC 8785 3.2.2.3 differs from that writer)
    goes reading by reading to :func:`canonical_text`."""
    n, k = len(seqs), len(names)
    if not n:
        return []
    order = tuple(sorted(names))
    pieces = _ROWS.get((device, order)) or _row_pieces(device, order)
    values = table.tolist() if hasattr(table, "tolist") else list(table)
    text = pydantic_core.to_json(values).decode()
    if "e" in text or "n" in text or "-0.0," in text or "-0.0]" in text:
        return [
            canonical_text(
                device, seq, at, dict(zip(names, values[i * k : i * k + k], strict=True)), None
            )
            for i, (seq, at) in enumerate(zip(seqs, times, strict=True))
        ]
    # Values hold no ",", and ".0," or ".0]" can only end one.
    parts = text.replace(".0,", ",").replace(".0]", "]")[1:-1].split(",")
    stamps = {at: utc_text(at) for at in set(times)}
    # A reading's text is its fixed pieces, each followed by its seq, its time or a value
    # (the last, "}}" and a line break, by nothing): every reading's, joined in one call.
    width = len(pieces) * 2 - 1
    out: list[Any] = [None] * (n * width)
    for j, piece in enumerate(pieces):
        out[2 * j :: width] = [piece] * n
    out[1::width] = map(str, seqs)
    out[3::width] = map(stamps.__getitem__, times)
    for j, name in enumerate(order):
        out[5 + 2 * j :: width] = parts[names.index(name) :: k]
    return "".join(out).split("\n")[:-1]
