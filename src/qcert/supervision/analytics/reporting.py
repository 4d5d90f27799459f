"""Indicators on reporting to the hub: late, missing, edited after the fact, and certificate
numbers the public looks up that no body reported (国市监认证发〔2025〕72号 (十一): bodies
report their whole activity through one standard interface)."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from ._common import hours_between, literal_day, row
from .registry import indicator
from .tables import HubTables

__all__ = ["PUBLIC_QUERIES", "REPORT_LAG_DAYS"]

# The hub's reporting deadline: a fact is reported within 5 days of happening.
REPORT_LAG_DAYS = 5.0
PUBLIC_QUERIES = 1  # one lookup may be a typing error; more are someone relying on it
REPORTING_SOURCE = (
    "国市监认证发〔2025〕72号 (十一) (all supervision data gathered to one national hub); "
    "《认证机构管理办法》 (bodies report certification information as required); "
    "5 days: the hub's reporting deadline"
)


def _day_after(as_of: date) -> ir.TimestampScalar:
    """The first instant after `as_of` (UTC): a scan run during its day sees what reached the
    hub earlier that day, whatever the hour it runs at."""
    return literal_day(as_of + timedelta(days=1)).cast("timestamp")


@indicator(
    id="report-late",
    entity="report",
    inputs=("reports",),
    threshold=REPORT_LAG_DAYS,
    direction="above",
    measure="days",
    unit="days from the fact to the hub's receipt of its first report",
    source=REPORTING_SOURCE,
)
def report_late(t: HubTables, as_of: date) -> ir.Table:
    r = t.reports
    first = r.filter(r.revision == 1, r.received_at < _day_after(as_of))
    first = first.mutate(days=hours_between(first.occurred_at, first.received_at) / 24.0)
    late = first.filter(first.days > REPORT_LAG_DAYS)
    return row(
        late,
        indicator="report-late",
        entity_kind="report",
        entity_id=late.record_id,
        value=late.days,
        threshold=REPORT_LAG_DAYS,
        evidence=ibis.array([late.kind, late.record_id]),
        day=late.occurred_at.date(),
        body_id=late.body_id,
    )


@indicator(
    id="report-missing",
    entity="certificate",
    inputs=("certificates", "audits"),
    threshold=1,
    direction="below",
    measure="audits",
    unit="audits reported for the certificate",
    source=REPORTING_SOURCE + "; ISO/IEC 17021-1:2015 9.5 (a decision rests on an audit)",
)
def report_missing(t: HubTables, as_of: date) -> ir.Table:
    c = t.certificates
    due = literal_day(as_of - timedelta(days=REPORT_LAG_DAYS))
    c = c.filter(c.issued_on < due)
    bare = c.anti_join(t.audits.select("cert_no"), "cert_no")
    return row(
        bare,
        indicator="report-missing",
        entity_kind="certificate",
        entity_id=bare.cert_no,
        value=ibis.literal(0),
        threshold=1,
        evidence=ibis.array([bare.cert_no]),
        day=bare.issued_on,
        body_id=bare.body_id,
        org_id=bare.org_id,
    )


@indicator(
    id="report-edited",
    entity="report",
    inputs=("reports",),
    threshold=0,
    direction="above",
    measure="revisions",
    unit="revisions after the first received on a later day than the fact",
    source=REPORTING_SOURCE + "; what was published at an instant is never rewritten "
    "(ISO/IEC 17021-1:2015 8.4, records)",
)
def report_edited(t: HubTables, as_of: date) -> ir.Table:
    r = t.reports
    later = r.filter(
        r.revision > 1,
        r.received_at.date() > r.occurred_at.date(),
        r.received_at < _day_after(as_of),
    )
    found = later.group_by("body_id", "record_id").aggregate(
        n=later.count(), kind=later.kind.max(), occurred=later.occurred_at.min()
    )
    return row(
        found,
        indicator="report-edited",
        entity_kind="report",
        entity_id=found.record_id,
        value=found.n,
        threshold=0,
        evidence=ibis.array([found.kind, found.record_id]),
        day=found.occurred.date(),
        body_id=found.body_id,
    )


@indicator(
    id="query-unreported",
    entity="certificate",
    inputs=("public_queries", "certificates"),
    threshold=PUBLIC_QUERIES,
    direction="above",
    measure="lookups",
    unit="public lookups of the number before the scan",
    source="国市监认证发〔2025〕72号 (十三) (public verification on one national platform); "
    "《认证证书和认证标志管理办法》 (forged certificates)",
)
def query_unreported(t: HubTables, as_of: date) -> ir.Table:
    q = t.public_queries
    q = q.filter(q.queried_at < literal_day(as_of).cast("timestamp"))
    unknown = q.anti_join(t.certificates.select("cert_no"), "cert_no")
    found = unknown.group_by("cert_no").aggregate(n=unknown.count(), first=unknown.queried_at.min())
    found = found.filter(found.n > PUBLIC_QUERIES)
    return row(
        found,
        indicator="query-unreported",
        entity_kind="certificate",
        entity_id=found.cert_no,
        value=found.n,
        threshold=PUBLIC_QUERIES,
        evidence=ibis.array([found.cert_no]),
        day=found["first"].date(),
    )
