"""Indicators on certificates: scope, certificate-mill signals, surveillance and follow-up
(ISO/IEC 17021-1:2015 9.5-9.6)."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from ._common import days_between, literal_day, peer_scale, row, status_on, union
from .registry import indicator
from .tables import HubTables

__all__ = [
    "DEREGISTERED_GRACE_DAYS",
    "FOLLOW_UP_DAYS",
    "MANY_STANDARDS",
    "MILL_HOURS",
    "MILL_MADS",
    "SURVEILLANCE_DAYS",
]

MILL_HOURS = 72.0
MILL_MADS = 3.0
MILL_MIN_CERTIFICATES = 30
MILL_FLOOR = 0.02  # the smallest peer scale (certificates per auditor-day)
MANY_STANDARDS = 3
DEREGISTERED_GRACE_DAYS = 30
# ISO/IEC 17021-1:2015 9.6.2.2: surveillance at least once a calendar year; the first one
# within 12 months of the certification decision. 366 days: more than 12 months in any year.
SURVEILLANCE_DAYS = 366
FOLLOW_UP_DAYS = 30
AUDITED = ("stage2", "surveillance", "recertification", "special")
STOPPED = ("suspended", "withdrawn")
EVIDENCE_MAX = 10


@indicator(
    id="scope-outside",
    entity="certificate",
    inputs=("certificates", "body_scopes"),
    threshold=0,
    direction="above",
    measure="flag",
    unit="1 for a certificate issued outside the scope",
    source="《认证机构管理办法》 (certification only within the approved scope); "
    "ISO/IEC 17021-1:2015 7.1 and 8.2 (scope of certification); "
    "国市监认证发〔2025〕72号 (十二)",
)
def scope_outside(t: HubTables, as_of: date) -> ir.Table:
    c = t.certificates.filter(t.certificates.issued_on <= literal_day(as_of))
    s = t.body_scopes
    outside = c.anti_join(
        s,
        [
            c.body_id == s.body_id,
            c.scheme == s.scheme,
            c.sector == s.sector,
            s.granted_on <= c.issued_on,
            s.revoked_on.isnull() | (s.revoked_on > c.issued_on),
        ],
    )
    return row(
        outside,
        indicator="scope-outside",
        entity_kind="certificate",
        entity_id=outside.cert_no,
        value=ibis.literal(1),
        threshold=0,
        evidence=ibis.array([outside.cert_no, outside.scheme + ":" + outside.sector]),
        day=outside.issued_on,
        body_id=outside.body_id,
        org_id=outside.org_id,
    )


@indicator(
    id="mill-fast",
    entity="certificate",
    inputs=("certificates",),
    threshold=MILL_HOURS,
    direction="below",
    measure="hours",
    unit="hours from the application to the end of the issue day",
    source="ISO/IEC 17021-1:2015 9.3.1 (stage 1 and stage 2 with time between them to resolve "
    "concerns) and 9.5 (an independent decision): three days cannot hold both audits and the "
    "decision; 72 hours: the hub's figure",
)
def mill_fast(t: HubTables, as_of: date) -> ir.Table:
    c = t.certificates.filter(t.certificates.issued_on <= literal_day(as_of))
    end_of_day = (c.issued_on.epoch_days() + 1).cast("float64") * 24.0
    hours = end_of_day - c.applied_at.epoch_seconds().cast("float64") / 3600.0
    fast = c.mutate(hours=hours)
    fast = fast.filter(fast.hours < MILL_HOURS)
    return row(
        fast,
        indicator="mill-fast",
        entity_kind="certificate",
        entity_id=fast.cert_no,
        value=fast.hours,
        threshold=MILL_HOURS,
        evidence=ibis.array([fast.cert_no]),
        day=fast.issued_on,
        body_id=fast.body_id,
        org_id=fast.org_id,
    )


@indicator(
    id="mill-rate",
    peer_relative=True,
    entity="body",
    inputs=("certificates", "audits", "audit_team"),
    threshold=MILL_MADS,
    direction="above",
    measure="per-auditor-day",
    unit="certificates issued per auditor-day of audits, 365 days before the scan",
    source="IAF MD 5:2019 (audit time is the minimum for a credible audit); robust outlier "
    "rule: Leys et al. 2013; MAD scale: Rousseeuw & Croux 1993",
)
def mill_rate(t: HubTables, as_of: date) -> ir.Table:
    since, day = literal_day(as_of - timedelta(days=365)), literal_day(as_of)
    c = t.certificates
    issued = c.filter(c.issued_on >= since, c.issued_on < day)
    issued = issued.group_by("body_id").aggregate(n=issued.count())
    issued = issued.filter(issued.n >= MILL_MIN_CERTIFICATES)
    a = t.audits.filter(t.audits.end_on >= since, t.audits.end_on < day)
    team = t.audit_team.group_by("audit_id").aggregate(people=t.audit_team.count())
    a = a.join(team, "audit_id")
    days = a.group_by("body_id").aggregate(auditor_days=(a.actual_days * a.people).sum())
    both = issued.left_join(days, "body_id").select(
        "body_id", "n", auditor_days=ibis.coalesce(days.auditor_days, 0.0)
    )
    both = both.mutate(rate=both.n / ibis.greatest(both.auditor_days, 0.5))
    scored = peer_scale(both, "rate", floor=MILL_FLOOR)
    high = scored.filter(scored.z > MILL_MADS)
    return row(
        high,
        indicator="mill-rate",
        entity_kind="body",
        entity_id=high.body_id,
        value=high.rate,
        threshold=high.median + MILL_MADS * high.scale,
        evidence=ibis.array([high.body_id]),
        day=day,
        body_id=high.body_id,
    )


@indicator(
    id="mill-many-standards",
    entity="organisation",
    inputs=("certificates", "organisations"),
    threshold=MANY_STANDARDS,
    direction="above",
    measure="schemes",
    unit="distinct schemes certified by one body to the organisation on one day",
    source="IAF MD 11:2019 (integrated audits of several standards); size class per "
    "工信部联企业〔2011〕300号; 3 schemes: the hub's figure",
)
def mill_many_standards(t: HubTables, as_of: date) -> ir.Table:
    micro = t.organisations.filter(t.organisations.size == "micro").select("org_id")
    c = t.certificates.filter(t.certificates.issued_on <= literal_day(as_of))
    c = c.join(micro, "org_id")
    found = c.group_by("org_id", "body_id", "issued_on").aggregate(
        n=c.scheme.nunique(), ids=c.cert_no.collect().sort()
    )
    found = found.filter(found.n > MANY_STANDARDS)
    return row(
        found,
        indicator="mill-many-standards",
        entity_kind="organisation",
        entity_id=found.org_id,
        value=found.n,
        threshold=MANY_STANDARDS,
        evidence=found.ids[:EVIDENCE_MAX],
        day=found.issued_on,
        body_id=found.body_id,
        org_id=found.org_id,
    )


@indicator(
    id="mill-deregistered",
    entity="certificate",
    inputs=("certificates", "status_changes", "organisations"),
    threshold=DEREGISTERED_GRACE_DAYS,
    direction="above",
    measure="days",
    unit="days since the organisation was deregistered",
    source="ISO/IEC 17021-1:2015 9.6.5 (suspending, withdrawing); 《认证证书和认证标志管理办法》 "
    "(a certificate whose holder no longer exists is withdrawn); 30 days: the hub's figure",
)
def mill_deregistered(t: HubTables, as_of: date) -> ir.Table:
    day = literal_day(as_of)
    active = status_on(t.certificates, t.status_changes, as_of)
    active = active.filter(active.status == "active").select("cert_no")
    gone = t.organisations.filter(t.organisations.deregistered_on.notnull()).select(
        "org_id", "deregistered_on"
    )
    c = t.certificates.join(active, "cert_no").join(gone, "org_id")
    c = c.mutate(days=days_between(c.deregistered_on, day))
    c = c.filter(c.days > DEREGISTERED_GRACE_DAYS)
    return row(
        c,
        indicator="mill-deregistered",
        entity_kind="certificate",
        entity_id=c.cert_no,
        value=c.days,
        threshold=DEREGISTERED_GRACE_DAYS,
        evidence=ibis.array([c.cert_no, c.org_id]),
        day=c.deregistered_on,
        body_id=c.body_id,
        org_id=c.org_id,
    )


@indicator(
    id="surveillance-gap",
    entity="certificate",
    inputs=("certificates", "audits", "status_changes"),
    threshold=SURVEILLANCE_DAYS,
    direction="above",
    measure="days",
    unit="days from the end of one audit to the start of the next (or to the scan day)",
    source="ISO/IEC 17021-1:2015 9.6.2.2 (surveillance at least once a calendar year, the "
    "first within 12 months of the decision) and 9.6.5 (suspension when surveillance is not "
    "done)",
)
def surveillance_gap(t: HubTables, as_of: date) -> ir.Table:
    day = literal_day(as_of)
    a = t.audits.filter(t.audits.kind.isin(AUDITED), t.audits.start_on < day)
    order = ibis.window(group_by="cert_no", order_by=["start_on", "audit_id"])
    a = a.mutate(next_start=a.start_on.lead().over(order))
    active = status_on(t.certificates, t.status_changes, as_of)
    active = active.filter(active.status == "active").select("cert_no", open_end=day)
    # The gap after the last audit stays open to the scan day while the certificate is active.
    a = a.left_join(active, "cert_no")
    gaps = a.select(
        "cert_no", prev_id=a.audit_id, start=a.end_on, end=ibis.coalesce(a.next_start, a.open_end)
    ).filter(ibis._.end.notnull())
    gaps = gaps.mutate(days=days_between(gaps.start, gaps.end))
    gaps = gaps.filter(gaps.days > SURVEILLANCE_DAYS)
    s = t.status_changes.filter(t.status_changes.status.isin(STOPPED))
    gaps = gaps.anti_join(
        s,
        [gaps.cert_no == s.cert_no, s.effective_on >= gaps.start, s.effective_on <= gaps.end],
    )
    c = t.certificates.select("cert_no", "body_id", "org_id")
    gaps = gaps.join(c, "cert_no")
    return row(
        gaps,
        indicator="surveillance-gap",
        entity_kind="certificate",
        entity_id=gaps.cert_no,
        value=gaps.days,
        threshold=SURVEILLANCE_DAYS,
        evidence=ibis.array([gaps.cert_no, gaps.prev_id.cast("string")]),
        day=gaps.start + ibis.interval(days=SURVEILLANCE_DAYS),
        body_id=gaps.body_id,
        org_id=gaps.org_id,
    )


@indicator(
    id="sampling-no-follow-up",
    entity="certificate",
    inputs=("sampling_results", "certificates", "audits", "status_changes"),
    threshold=FOLLOW_UP_DAYS,
    direction="above",
    measure="days",
    unit="days from the failed inspection to the first special audit, suspension or "
    "withdrawal (to the scan day when none)",
    source="ISO/IEC 17021-1:2015 9.6.4.2 (special audits after information on the client) and "
    "9.6.5; 国市监认证发〔2025〕72号 (十二) (risk early warning); 30 days: the hub's figure",
)
def sampling_no_follow_up(t: HubTables, as_of: date) -> ir.Table:
    day = literal_day(as_of)
    f = t.sampling_results
    f = f.filter(f.failed, f.sampled_on <= literal_day(as_of - timedelta(days=FOLLOW_UP_DAYS)))
    c = t.certificates
    held = f.join(
        c.select("cert_no", "org_id", "body_id", "issued_on", "expires_on"),
        [f.org_id == c.org_id, c.issued_on <= f.sampled_on, c.expires_on >= f.sampled_on],
    ).select("cert_no", "body_id", "issued_on", "sampled_on", org_id=f.org_id)
    specials = t.audits.filter(t.audits.kind == "special").select("cert_no", on=t.audits.start_on)
    stops = t.status_changes.filter(t.status_changes.status.isin(STOPPED))
    follow = union(specials, stops.select("cert_no", on=stops.effective_on))
    j = held.left_join(
        follow, [held.cert_no == follow.cert_no, follow.on >= held.sampled_on, follow.on <= day]
    )
    firsts = j.group_by("cert_no", "body_id", "org_id", "sampled_on").aggregate(first=j.on.min())
    firsts = firsts.mutate(
        days=days_between(firsts.sampled_on, ibis.coalesce(firsts["first"], day))
    )
    late = firsts.filter(firsts.days > FOLLOW_UP_DAYS)
    return row(
        late,
        indicator="sampling-no-follow-up",
        entity_kind="certificate",
        entity_id=late.cert_no,
        value=late.days,
        threshold=FOLLOW_UP_DAYS,
        evidence=ibis.array([late.cert_no, late.org_id]),
        day=late.sampled_on,
        body_id=late.body_id,
        org_id=late.org_id,
    )
