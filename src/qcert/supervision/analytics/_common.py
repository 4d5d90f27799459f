"""Shared pieces of the indicators: the row every indicator returns, distances, day counts,
the peer rule and certificate status on a day. All are ibis expressions, so they run on any
backend the hub's tables are on."""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

__all__ = [
    "EARTH_KM",
    "MAD_SCALE",
    "ROW",
    "days_between",
    "hours_between",
    "km",
    "literal_day",
    "peer_scale",
    "row",
    "status_on",
    "union",
]

EARTH_KM = 6371.0088  # mean Earth radius (IUGG), as qcert.lifecycle.audits uses
# 1.4826 × MAD estimates the standard deviation of normal data (Rousseeuw & Croux 1993, JASA
# 88:1273-1283); "more than 3 scaled MADs from the median" is the outlier rule of Leys et al.
# 2013 (J. Experimental Social Psychology 49:764-766).
MAD_SCALE = 1.4826

ROW = ibis.schema(
    {
        "entity_kind": "string",
        "entity_id": "string",
        "body_id": "string",
        "org_id": "string",
        "indicator": "string",
        "value": "float64",
        "threshold": "float64",
        "evidence": "array<string>",
        "day": "date",
    }
)


def union(*tables: ir.Table) -> ir.Table:
    """The rows of all ``tables`` (same columns), their types made nullable so that a column
    built from a literal and one read from a table combine."""
    first = tables[0].schema()
    loose = {name: first[name].copy(nullable=True) for name in first.names}
    parts = [t.select(**{name: t[name].cast(loose[name]) for name in first.names}) for t in tables]
    return parts[0].union(*parts[1:])


def literal_day(day: date) -> ir.DateScalar:
    """A Python date as an ibis date literal."""
    return ibis.literal(day, type="date")


def days_between(start: ir.DateValue, end: ir.DateValue) -> ir.IntegerValue:
    """Whole days from ``start`` to ``end`` (``end − start``; negative when end is earlier)."""
    return end.epoch_days() - start.epoch_days()


def hours_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    """Hours from ``start`` to ``end`` (timestamps in UTC)."""
    return (end.epoch_seconds() - start.epoch_seconds()).cast("float64") / 3600.0


def km(
    lat1: ir.FloatingValue, lon1: ir.FloatingValue, lat2: ir.FloatingValue, lon2: ir.FloatingValue
) -> ir.FloatingValue:
    """Great-circle distance in km (haversine), as qcert.lifecycle.audits computes it."""
    p1, p2 = lat1.radians(), lat2.radians()
    dp, dl = p2 - p1, (lon2 - lon1).radians()
    h = (dp / 2).sin() ** 2 + p1.cos() * p2.cos() * (dl / 2).sin() ** 2
    return 2 * EARTH_KM * ibis.least(h.sqrt(), 1.0).asin()


def peer_scale(
    table: ir.Table, value: str, group_by: tuple[str, ...] = (), floor: float = 0.0
) -> ir.Table:
    """``table`` with each row's peers' ``median``, ``scale`` (1.4826 × MAD, at least
    ``floor``) and robust z-score ``z`` = (value − median) / scale; peers are the rows with the
    same ``group_by`` values (all rows without it). Exact medians on every backend."""
    group = list(group_by)
    whole = ibis.window(group_by=group) if group else ibis.window()
    with_median = table.mutate(median=table[value].median().over(whole))
    deviation = (with_median[value] - with_median.median).abs()
    with_mad = with_median.mutate(mad=deviation.median().over(whole))
    scale = ibis.greatest(with_mad.mad * MAD_SCALE, floor)
    with_scale = with_mad.mutate(scale=scale)
    return with_scale.mutate(z=(with_scale[value] - with_scale.median) / with_scale.scale)


def status_on(certificates: ir.Table, status_changes: ir.Table, day: date) -> ir.Table:
    """(cert_no, status) of every certificate on ``day``: its latest status change effective
    on or before it (ties: the later recorded), else ``active`` once issued; ``expired`` after
    its last day of validity."""
    changes = status_changes.filter(status_changes.effective_on <= literal_day(day))
    order = ibis.window(
        group_by="cert_no",
        order_by=[ibis.desc("effective_on"), ibis.desc("recorded_at"), ibis.desc("status")],
    )
    latest = (
        changes.mutate(rank=ibis.row_number().over(order))
        .filter(lambda t: t["rank"] == 0)
        .select("cert_no", latest="status")
    )
    joined = certificates.left_join(latest, "cert_no")
    status = ibis.cases(
        (joined.expires_on < literal_day(day), "expired"),
        (joined.latest.notnull(), joined.latest),
        else_="active",
    )
    return joined.filter(joined.issued_on <= literal_day(day)).select("cert_no", status=status)


def row(
    table: ir.Table,
    *,
    indicator: str,
    entity_kind: str,
    entity_id: ir.Value,
    value: ir.Value,
    threshold: ir.Value | float,
    evidence: ir.ArrayValue,
    day: ir.Value,
    body_id: ir.Value | None = None,
    org_id: ir.Value | None = None,
) -> ir.Table:
    """The indicator's rows in the common shape :data:`ROW`."""
    null = ibis.null().cast("string")
    return table.select(
        entity_kind=ibis.literal(entity_kind),
        entity_id=entity_id.cast("string"),
        body_id=null if body_id is None else body_id.cast("string"),
        org_id=null if org_id is None else org_id.cast("string"),
        indicator=ibis.literal(indicator),
        value=value.cast("float64"),
        threshold=ibis.literal(float(threshold))
        if isinstance(threshold, (int, float))
        else threshold.cast("float64"),
        evidence=evidence.cast("array<string>"),
        day=day.cast("date"),
    )
