"""The quality examination of an organisation, gathered from the store for one viewer.

:func:`examine` reads, through read views scoped by the viewer's read scope, the organisation
(an unknown one, or one the viewer may not read, is :class:`OrganisationNotFound`), its
certification history, its data sources with their readings in the window (units and
specification limits from the device registry), and the peer group (other organisations of
the same IAF sector with data sources), then builds the report with the pure
:func:`qcert.reports.examination.build`. The command line, the portal and the body's
workspace all call it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .access import Principal, read_scope
from .config import TIMEZONE
from .errors import QcertError
from .locale.names import field_label
from .locale.problems import problem
from .reports.examination import MAX_READINGS, History, Report, Stream, Variable, build
from .store import examination as views
from .store import streams as stream_views

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "OrganisationNotFound",
    "WindowInvalid",
    "examine",
    "window",
]

DEFAULT_DAYS = 30  # the window when none is given: the 30 days up to now
MAX_DAYS = 366  # the longest window examined
PEER_READINGS = 1_000  # newest readings of each peer data source compared with


class OrganisationNotFound(QcertError):
    """No organisation of that id the viewer may read."""

    status = 404

    def __init__(self, client_id: str) -> None:
        super().__init__(f"organisation: no organisation {client_id!r} that you may read")
        self.zh = f"组织：没有您可查看的组织 {client_id!r}"


class WindowInvalid(QcertError):
    """The period asked for is not a date or instant, is reversed, or is too long."""

    status = 422

    def __init__(self, field: str, key: str, /, **fields: object) -> None:
        en, zh = problem(key, **fields)  # the sentences are in the catalogs (locale.problems)
        super().__init__(f"{field}: {en}")
        self.zh = f"{field_label(field)}：{zh}"
        self.field = field


def _instant(field: str, text: str, zone: str, end: bool = False) -> datetime:
    """An RFC 3339 instant (UTC when it has no offset), or a ``YYYY-MM-DD`` day in ``zone``:
    the start of that day, or with ``end`` the start of the next (the period's end is
    exclusive, so ``to`` names the last day examined)."""
    if len(text) > 40:
        raise WindowInvalid(field, "text.too_long", limit=40)
    try:
        if len(text) == 10:
            return _day(field, date.fromisoformat(text), ZoneInfo(zone), end)
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise WindowInvalid(field, "period.date_or_instant") from None
    try:
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-14:00 has no UTC datetime
        raise _out_of_range(field) from None


def _day(field: str, day: date, zone: ZoneInfo, end: bool) -> datetime:
    # The day's end is its last microsecond's successor, so 9999-12-31 ends where UTC allows.
    try:
        if end:
            return datetime.combine(day, time.max, zone).astimezone(UTC) + timedelta(microseconds=1)
        return datetime.combine(day, time.min, zone).astimezone(UTC)
    except OverflowError:  # 0001-01-01 in a zone east of UTC begins in year 0
        raise _out_of_range(field) from None


def _out_of_range(field: str) -> WindowInvalid:
    return WindowInvalid(field, "period.years")


def window(
    start: str | None, end: str | None, now: datetime, zone: str = TIMEZONE
) -> tuple[datetime, datetime]:
    """The period [start, end) in UTC: ``end`` defaults to ``now``, ``start`` to
    :data:`DEFAULT_DAYS` days before ``end``; refused when reversed or over :data:`MAX_DAYS`.
    Each is an RFC 3339 instant or a bare ``YYYY-MM-DD`` day as it is in ``zone`` (the
    installation's or the viewer's time zone): ``start`` from that day's beginning, ``end``
    up to the end of that day, so ``2026-01-01``/``2026-01-31`` examines all of January there."""
    stop = _instant("to", end, zone, end=True) if end else now.astimezone(UTC)
    try:
        begin = _instant("from", start, zone) if start else stop - timedelta(days=DEFAULT_DAYS)
    except OverflowError:  # the default period would begin before year 1
        raise _out_of_range("to") from None
    if not begin < stop:
        raise WindowInvalid("from", "period.before_to")
    if stop - begin > timedelta(days=MAX_DAYS):
        raise WindowInvalid("from", "period.too_long", days=MAX_DAYS)
    return begin, stop


def examine(
    engine: Engine, who: Principal, client_id: str, start: datetime, end: datetime
) -> Report:
    """The examination report of ``client_id`` over [``start``, ``end``) as ``who`` may read
    it; OrganisationNotFound (404, naming the field) when ``who`` may read no such one."""
    scope = read_scope(who)
    span = (_micros(start), _micros(end))
    with engine.connect() as conn:
        found = views.organisation(conn, scope, client_id)
        if found is None:
            raise OrganisationNotFound(client_id)
        record = views.history(conn, scope, client_id)
        own = _streams(conn, [client_id], span, MAX_READINGS)
        others = stream_views.sector_peers(conn, client_id, record["sectors"], views.MAX_PEERS)
        peers = {k: v for k, v in _streams(conn, others, span, PEER_READINGS).items() if v}
    history = History(
        record["certifications"],
        tuple(record["certificates"]),
        record["audits"],
        record["findings"],
        record["open_findings"],
        record["open_major"],
        record["suspensions"],
        tuple(record["sectors"]),
    )
    names = (found["name_zh"], found["name_en"])
    return build(client_id, names, start, end, history, own[client_id], peers)


def _micros(at: datetime) -> int:
    """Microseconds since the epoch (UTC), as the readings' times are stored."""
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _streams(
    conn: Any, client_ids: list[str], span: tuple[int, int], count: int
) -> dict[str, list[Stream]]:
    """Each organisation's data sources (the first :data:`qcert.store.streams.MAX_DEVICES` in
    all) with their newest ``count`` readings in ``span`` (µs), as streams (units and
    specification limits from the device registry)."""
    import pandas as pd

    out: dict[str, list[Stream]] = {c: [] for c in client_ids}
    for device in stream_views.devices(conn, client_ids):
        rows = stream_views.latest(conn, device["id"], count, *span)
        variables = tuple(
            Variable(v["name"], v["unit"], v.get("lower"), v.get("upper"))
            for v in device["variables"]
        )
        index = pd.to_datetime([r["time_us"] for r in rows], unit="us", utc=True)
        frame = pd.DataFrame.from_records(
            [r["values"] for r in rows], index=index, columns=[v.name for v in variables]
        )
        label = device["label"] or device["kind"]
        until = int(device["anchored_until"])
        anchored = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=until)
        stream = Stream(device["id"], variables, frame, label, anchored if until else None)
        out[device["client_id"]].append(stream)
    return out
