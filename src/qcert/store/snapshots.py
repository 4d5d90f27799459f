"""Snapshots: an aggregate's state kept beside the log, so loading it costs the same whatever
the length of its history.

``lc_snapshots`` holds one row per aggregate: its state after its first ``seq`` events,
encoded by the small codec below. A unit of work writes (or replaces) it in the transaction
of the events whenever the aggregate has gained :data:`EVERY` events since its last one, and
only from a state equal to the replay's (:func:`as_recorded`); loading reads it and folds only
the events after ``seq``. The events stay the record:

- a load refuses a snapshot whose ``seq`` is not on the log (:class:`SnapshotMismatch`), and
  replays from the first event when a snapshot no longer reads as the aggregate's current
  shape (it lacks an attribute the class now starts with, or a dataclass's fields changed);
- ``qcert ledger audit`` replays every aggregate and reports each snapshot that differs, byte
  for byte, from the encoding of the replay of its first ``seq`` events, or that stands at no
  event of its aggregate (``store.replay``).

The codec is JSON with type tags, not pickle: it rebuilds only plain JSON values, lists,
dicts, tuples, sets, dates, datetimes, and the enums and dataclasses defined in
``qcert.lifecycle`` and the hub's (named by class name, so a class moving between modules keeps its
snapshots); any other type is an error. Every JSON object in a snapshot is one tag with its
payload: ``{"m": [k1, v1, k2, v2, ...]}`` a dict (insertion order kept), ``{"t": [...]}`` a
tuple, ``{"s": [...]}`` / ``{"f": [...]}`` a set / frozenset (members sorted by their encoding),
``{"d": "2026-01-31"}`` a date, ``{"dt": "..."}`` a datetime (ISO 8601), ``{"e": [class, value]}``
an enum member, ``{"c": [class, field1, value1, ...]}`` a dataclass. The same state always
encodes to the same text.

When an aggregate comes to fold its events differently with the same attributes, raise
:data:`FORMAT`: snapshots of another format are never read (nor audited), and are replaced as
their aggregates change.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import math
import pkgutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from ..errors import QcertError
from ..ledger.storage import plain
from ..lifecycle import events as ev
from . import tables as t

__all__ = [
    "EVERY",
    "FORMAT",
    "Loaded",
    "SnapshotError",
    "SnapshotMismatch",
    "StaleSnapshot",
    "as_recorded",
    "check",
    "decode",
    "encode",
    "load",
    "write",
]

log = logging.getLogger(__name__)

# 2: a watched stream keeps its open alarm, not the list of its episodes
FORMAT = 2
EVERY = 64  # events an aggregate gains before its snapshot is renewed: at most this many
# are folded on a load, and a snapshot is written once per this many events

A = TypeVar("A")


class SnapshotError(QcertError):
    """A state holds a value the codec does not take, or a snapshot is not one it wrote."""

    status = 500


class StaleSnapshot(SnapshotError):
    """A snapshot of an older shape of its aggregate: replay from the events instead."""


class SnapshotMismatch(QcertError):
    """A snapshot that disagrees with the events about where it stands on the log."""

    status = 500


# -- the codec ------------------------------------------------------------------------------


@cache
def _classes() -> dict[str, type]:
    """The dataclasses and enums of ``qcert.lifecycle`` and of the hub's model, by class name;
    a name two classes share maps to None and cannot be snapshotted (it would be ambiguous)."""
    import qcert.lifecycle as lifecycle

    modules = [f"{lifecycle.__name__}.{m.name}" for m in pkgutil.iter_modules(lifecycle.__path__)]
    # The hub's aggregates and events (its analysis modules hold no state, and are heavy).
    modules += [
        "qcert.supervision.events",
        "qcert.supervision.model",
        "qcert.supervision.campaigns",
        "qcert.evidence.monitor_events",
    ]
    found: dict[str, Any] = {}
    for module_name in modules:
        package = module_name.rsplit(".", 1)[0]
        for value in vars(importlib.import_module(module_name)).values():
            if not isinstance(value, type) or not value.__module__.startswith(package):
                continue
            if dataclasses.is_dataclass(value) or issubclass(value, Enum):
                name = value.__qualname__
                found[name] = value if found.get(name, value) is value else None
    return found


def _known(value: Any) -> str:
    name = type(value).__qualname__
    if _classes().get(name) is not type(value):
        raise SnapshotError(f"cannot snapshot a {type(value).__module__}.{name}")
    return name


def _text(encoded: Any) -> str:
    return json.dumps(encoded, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


_sort_key = _text


def _enc(v: Any) -> Any:
    kind = type(v)
    if kind in _SCALARS:
        return v
    encode = _ENCODERS.get(kind)
    if encode is not None:
        return encode(v)
    if isinstance(v, Enum):
        return {"e": [_known(v), _enc(v.value)]}
    if dataclasses.is_dataclass(v):
        return _enc_dataclass(v)
    raise SnapshotError(f"cannot snapshot a {kind.__module__}.{kind.__qualname__}")


def _enc_float(v: float) -> float:
    if not math.isfinite(v):
        raise SnapshotError(f"cannot snapshot the number {v}")
    return v


def _enc_dict(v: dict[Any, Any]) -> dict[str, list[Any]]:
    flat: list[Any] = []
    for key, value in v.items():
        flat += (_enc(key), value if type(value) in _SCALARS else _enc(value))
    return {"m": flat}


def _enc_dataclass(v: Any) -> dict[str, list[Any]]:
    name = _known(v)
    state = getattr(v, "__dict__", None)
    if state is None or state.keys() != _field_set(type(v)):
        raise SnapshotError(f"a {name} holds attributes that are not its fields")
    out: list[Any] = [name]
    for field in _field_names(type(v)):
        value = state[field]
        out += (field, value if type(value) in _SCALARS else _enc(value))
    return {"c": out}


def _enc_items(v: list[Any] | tuple[Any, ...]) -> list[Any]:
    if all(map(_SCALARS.__contains__, map(type, v))):  # checked in C: the common case
        return list(v)
    return [_enc(x) for x in v]


_SCALARS = frozenset({str, int, bool, type(None)})
_ENCODERS: dict[type, Any] = {
    float: _enc_float,
    list: _enc_items,
    dict: _enc_dict,
    tuple: lambda v: {"t": _enc_items(v)},
    set: lambda v: {"s": sorted(map(_enc, v), key=_sort_key)},
    frozenset: lambda v: {"f": sorted(map(_enc, v), key=_sort_key)},
    date: lambda v: {"d": v.isoformat()},
    datetime: lambda v: {"dt": v.isoformat()},
}


def _dataclass(payload: list[Any]) -> Any:
    cls = _classes().get(payload[0]) if payload and isinstance(payload[0], str) else None
    if cls is None or not dataclasses.is_dataclass(cls):
        raise StaleSnapshot(f"no dataclass {payload[:1]!r} to read a snapshot into")
    names = payload[1::2]
    if names != _field_names(cls):
        raise StaleSnapshot(f"{cls.__qualname__}'s fields are not those of its snapshot")
    obj = object.__new__(cls)
    # Straight into the instance, frozen dataclasses too: this is state, not input to check.
    vars(obj).update(zip(names, payload[2::2], strict=True))
    return obj


@cache
def _field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


@cache
def _field_set(cls: type) -> frozenset[str]:
    return frozenset(_field_names(cls))


def _enum(payload: list[Any]) -> Any:
    cls = _classes().get(payload[0]) if len(payload) == 2 else None
    if cls is None or not issubclass(cls, Enum):
        raise StaleSnapshot(f"no enum {payload[:1]!r} to read a snapshot into")
    try:
        return cls(payload[1])
    except ValueError:
        raise StaleSnapshot(f"{payload[1]!r} is not a {cls.__qualname__}") from None


def _pairs(flat: list[Any]) -> dict[Any, Any]:
    if len(flat) % 2:
        raise SnapshotError("a dict in a snapshot has a key without its value")
    return dict(zip(flat[::2], flat[1::2], strict=True))


_DECODERS = {
    "m": _pairs,
    "t": tuple,
    "s": set,
    "f": frozenset,
    "d": date.fromisoformat,
    "dt": datetime.fromisoformat,
    "e": _enum,
    "c": _dataclass,
}
_PAYLOAD = {"m": list, "t": list, "s": list, "f": list, "d": str, "dt": str, "e": list, "c": list}


def _tagged(obj: dict[str, Any]) -> Any:
    """One JSON object of a snapshot (its members already decoded, innermost first)."""
    if len(obj) != 1:
        raise SnapshotError(f"a snapshot holds an object with {len(obj)} members, not one tag")
    ((tag, payload),) = obj.items()
    if tag not in _DECODERS or type(payload) is not _PAYLOAD[tag]:
        raise SnapshotError(f"a snapshot holds an unknown tag {tag!r}")
    try:
        return _DECODERS[tag](payload)
    except (TypeError, ValueError) as err:
        raise SnapshotError(f"a snapshot's {tag!r} does not read: {err}") from None


def as_recorded(event: ev.Event, document: bytes) -> bool:
    """Whether ``event`` is, value for value and type for type, the event its canonical
    ``document`` decodes to (a replay folds the decoded one: ``5.0`` comes back as ``5``, a
    tuple as a list). Only then does folding it give the state a replay gives."""
    # Compared as text: as Python values, 5.0 == 5 and True == 1. Value by value first, type
    # for type and in order as the text would be: that stops at the first difference, and a
    # hub's report holds thousands of records.
    try:
        decoded = ev.decode(json.loads(document)).event
        same = _same(event, decoded)
        if same is not None:
            return same
        return _text(_enc(event)) == _text(_enc(decoded))
    except SnapshotError:
        return False  # not a state to snapshot or keep either


def _same(a: Any, b: Any) -> bool | None:
    """Whether ``a`` and ``b`` encode to the same snapshot text, for plain JSON values, tuples
    and known dataclasses; None when either holds another kind (the text decides then)."""
    kind = type(a)
    if kind is not type(b):
        return None if kind not in _PLAIN or type(b) not in _PLAIN else False
    if kind in _SCALARS:
        return a == b
    if kind is float:
        return repr(a) == repr(b) if math.isfinite(a) and math.isfinite(b) else None
    if kind is list or kind is tuple:
        return _same_items(a, b) if len(a) == len(b) else False
    if kind is dict:
        if len(a) != len(b):
            return False
        keys = _same_items(list(a), list(b))  # in order: the encoding keeps it
        return keys if keys is not True else _same_items(list(a.values()), list(b.values()))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        _known(a)  # SnapshotError for a class the codec does not know, as _enc raises
        if vars(a).keys() != _field_set(kind) or vars(b).keys() != _field_set(kind):
            return None
        names = _field_names(kind)
        return _same_items([vars(a)[n] for n in names], [vars(b)[n] for n in names])
    return None


def _same_items(a: list[Any] | tuple[Any, ...], b: list[Any] | tuple[Any, ...]) -> bool | None:
    for x, y in zip(a, b, strict=True):
        same = _same(x, y)
        if same is not True:
            return same
    return True


_PLAIN = frozenset({str, int, bool, type(None), float, list, tuple, dict})


def _state(agg: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(agg).items() if k != "pending"}


def encode(agg: Any) -> str:
    """The snapshot text of an aggregate's state (every attribute but its pending events)."""
    return _text(_enc(_state(agg)))


def decode(cls: type[A], id: str, text: str) -> A:
    """The aggregate ``cls`` ``id`` as ``text`` holds it; StaleSnapshot when it lacks an
    attribute ``cls`` now starts with, or holds a dataclass whose fields have changed."""
    state = json.loads(text, object_hook=_tagged)
    if type(state) is not dict or state.get("id") != id:
        raise SnapshotError(f"the snapshot of {cls.kind}:{id} is of another aggregate")  # type: ignore[attr-defined]
    # Every attribute a new instance starts with must be there (some come with later events,
    # as a client's names with its registration, so more may be).
    if not _state(cls(id)).keys() <= state.keys():  # type: ignore[call-arg]
        raise StaleSnapshot(f"{cls.__qualname__} has attributes its snapshot lacks")
    agg = object.__new__(cls)
    vars(agg).update(state)
    agg.pending = []  # type: ignore[attr-defined]
    return agg


# -- loading and writing --------------------------------------------------------------------


@dataclass
class Loaded:
    """An aggregate as loaded: ``snapshot`` is the seq of the newest snapshot it was loaded
    from or written at (0: none), ``last`` the document of its event at ``agg.version`` (so a
    copy kept in memory can tell it still stands on the same events)."""

    agg: Any
    snapshot: int
    last: str


def fold(agg: Any, history: Iterable[ev.Event]) -> None:
    """Apply events to an aggregate in order, as its ``replay`` does."""
    for event in history:
        agg._apply(event)


# Plain SQL (:mod:`qcert.ledger.storage.plain`): run for every aggregate a command loads.
_EVENTS_FROM = "SELECT seq, document FROM lc_events WHERE aggregate = ? AND seq >= ? ORDER BY seq"
_SNAPSHOT = "SELECT seq, state FROM lc_snapshots WHERE aggregate = ? AND format = ?"


def _events_from(conn: Connection, key: str, seq: int) -> Sequence[tuple[int, str]]:
    """``key``'s events from ``seq`` on, as (seq, document) pairs in order."""
    return plain.run(conn, _EVENTS_FROM, (key, seq))


def load(conn: Connection, cls: type, id: str, kept: Loaded | None = None) -> Loaded | None:
    """The aggregate ``cls`` ``id``; None when it has no events.

    From ``kept`` (a copy kept in memory) and the events committed after it, when the event
    it last folded is still there as it was; else from the newest snapshot and the events
    after it. SnapshotMismatch when the snapshot's seq is not among the events, or the
    events after it do not follow on one by one: the events decide, and the audit names the
    snapshot.
    """
    key = f"{cls.kind}:{id}"  # type: ignore[attr-defined]
    if kept is not None:
        docs = _events_from(conn, key, kept.agg.version)
        if docs and docs[0] == (kept.agg.version, kept.last):
            _follow(kept.agg, key, kept.agg.version, docs[1:])
            return Loaded(kept.agg, kept.snapshot, docs[-1][1])
    found = plain.run(conn, _SNAPSHOT, (key, FORMAT))
    if not found:
        return _replay(conn, cls, id, key)
    base, state = int(found[0][0]), found[0][1]
    docs = _events_from(conn, key, base)
    if not docs or docs[0][0] != base:
        raise SnapshotMismatch(
            f"the snapshot of {key} stands at event {base}, which its events do not hold; "
            "`qcert ledger audit` names it, and deleting its row in lc_snapshots lets "
            "the aggregate load from its events"
        )
    try:
        agg = decode(cls, id, state)
    except StaleSnapshot:
        return _replay(conn, cls, id, key)
    _follow(agg, key, base, docs[1:])
    return Loaded(agg, base, docs[-1][1])


def _replay(conn: Connection, cls: type, id: str, key: str) -> Loaded | None:
    docs = _events_from(conn, key, 1)
    if not docs:
        return None
    agg = cls(id)
    _follow(agg, key, 0, docs)
    return Loaded(agg, 0, docs[-1][1])


def _follow(agg: Any, key: str, base: int, docs: Sequence[Any]) -> None:
    """Fold the events after ``base`` onto ``agg``, checking they follow on one by one."""
    if agg.version != base:
        raise SnapshotMismatch(f"the snapshot of {key} says version {agg.version}, not {base}")
    for i, (seq, document) in enumerate(docs, start=base + 1):
        if seq != i:
            raise SnapshotMismatch(f"{key}: event {i} is missing from lc_events")
        agg._apply(ev.decode(json.loads(document)).event)


def write(conn: Connection, due: Sequence[Any]) -> list[Any]:
    """Replace the snapshots of the aggregates ``due`` by their current state; those written.

    A state the codec cannot take is logged and left without a new snapshot (it loads from
    its events): a snapshot saves time, and its absence must never refuse a command.
    """
    rows, written = [], []
    for agg in due:
        try:
            state = encode(agg)
        except SnapshotError as err:
            log.warning("no snapshot of %s: %s", agg.key, err)
            continue
        rows.append({"aggregate": agg.key, "seq": agg.version, "format": FORMAT, "state": state})
        written.append(agg)
    if rows:
        s = t.snapshots.c
        conn.execute(t.snapshots.delete().where(s.aggregate.in_([a.key for a in written])))
        conn.execute(t.snapshots.insert(), rows)
    return written


# -- the audit ------------------------------------------------------------------------------


def check(key: str, agg: Any, history: Sequence[ev.Event], seq: int, state: str) -> list[str]:
    """Whether the snapshot ``(seq, state)`` of ``key`` is the encoding of the replay of its
    first ``seq`` events; ``agg`` is a fresh aggregate, folded here up to ``seq``."""
    if not 1 <= seq <= len(history):
        return [
            f"lc_snapshots: the snapshot of {key} stands at event {seq}, "
            f"but {key} has {len(history)} events"
        ]
    fold(agg, history[:seq])
    try:
        same = encode(agg) == state
    except SnapshotError as err:
        return [f"lc_snapshots: the snapshot of {key} cannot be checked: {err}"]
    if not same:
        return [f"lc_snapshots: the snapshot of {key} at event {seq} differs from its events"]
    return []
