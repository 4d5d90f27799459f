"""Indicators on the audit itself: was it evidenced on site, did it take the time it needed,
and how often does a body audit remotely (ISO/IEC 17021-1:2015 9.4, IAF MD 5, IAF MD 4)."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from ._common import km, literal_day, peer_scale, row
from .registry import indicator
from .tables import HubTables

__all__ = ["CHECKIN_KM", "MD5_SHARE", "ONSITE_SHARE", "REMOTE_MADS"]

# The national check-in system's "location deviation" rule (国认监〔2021〕3号, deviation over
# 5 km), the same figure as qcert.lifecycle.audits.CHECKIN_KM.
CHECKIN_KM = 5.0
# IAF MD 5:2019 3.9: reductions of the table's audit time are capped at 30 %.
MD5_SHARE = 0.7
# IAF MD 5:2019 4.1 (as qcert's reference table iaf_md5.yaml reads it): on-site time not less
# than 80 % of the audit time.
ONSITE_SHARE = 0.8
REMOTE_MADS = 3.0
REMOTE_MIN_AUDITS = 30  # a body's share is compared only from this many audits in the year
REMOTE_FLOOR = 0.02  # the smallest peer scale (share points), so a uniform peer group still works
ON_SITE = ("FS01", "FS03")
CHECKIN_SOURCE = (
    "CNCA 国认监〔2021〕3号, national audit check-in rules (location deviation over 5 km); "
    "ISO/IEC 17021-1:2015 9.4.1 (the audit is conducted at the client's site); the same figure "
    "as qcert.lifecycle.audits.CHECKIN_KM"
)


def _on_site_done(t: HubTables, as_of: date) -> ir.Table:
    """Audits held (partly) on site that ended before the scan day."""
    a = t.audits
    return a.filter(a.method.isin(ON_SITE), a.end_on < literal_day(as_of))


@indicator(
    id="checkin-missing",
    entity="audit",
    inputs=("audits", "audit_team", "checkins"),
    threshold=0,
    direction="above",
    measure="members",
    unit="team members without both a check-in and a check-out",
    source=CHECKIN_SOURCE,
)
def checkin_missing(t: HubTables, as_of: date) -> ir.Table:
    c = t.checkins.select("audit_id", "registration_id", "kind")
    audits = _on_site_done(t, as_of).select("audit_id", "body_id", "org_id", "start_on")
    team = t.audit_team.join(audits, "audit_id")
    keys = ["audit_id", "registration_id"]
    no_in = team.anti_join(c.filter(c.kind == "in"), keys)
    no_out = team.anti_join(c.filter(c.kind == "out"), keys)
    lacking = no_in.union(no_out, distinct=True)
    found = lacking.group_by("audit_id", "body_id", "org_id", "start_on").aggregate(
        n=lacking.count(), who=lacking.registration_id.collect().sort()
    )
    return row(
        found,
        indicator="checkin-missing",
        entity_kind="audit",
        entity_id=found.audit_id,
        value=found.n,
        threshold=0,
        evidence=ibis.array([found.audit_id.cast("string")]).concat(found.who),
        day=found.start_on,
        body_id=found.body_id,
        org_id=found.org_id,
    )


@indicator(
    id="checkin-far",
    entity="audit",
    inputs=("audits", "checkins"),
    threshold=CHECKIN_KM,
    direction="above",
    measure="km",
    unit="km, largest distance of a check-in or check-out from the site",
    source=CHECKIN_SOURCE,
)
def checkin_far(t: HubTables, as_of: date) -> ir.Table:
    audits = _on_site_done(t, as_of)
    c = t.checkins.join(
        audits.select("audit_id", "body_id", "org_id", "start_on", "site_lat", "site_lon"),
        "audit_id",
    )
    far = c.mutate(km=km(c.lat, c.lon, c.site_lat, c.site_lon))
    far = far.filter(far.km > CHECKIN_KM)
    found = far.group_by("audit_id", "body_id", "org_id", "start_on").aggregate(
        km=far.km.max(), who=far.registration_id.collect(distinct=True).sort()
    )
    return row(
        found,
        indicator="checkin-far",
        entity_kind="audit",
        entity_id=found.audit_id,
        value=found.km,
        threshold=CHECKIN_KM,
        evidence=ibis.array([found.audit_id.cast("string")]).concat(found.who),
        day=found.start_on,
        body_id=found.body_id,
        org_id=found.org_id,
    )


@indicator(
    id="audit-time-short",
    entity="audit",
    inputs=("audits",),
    threshold=MD5_SHARE,
    direction="below",
    measure="share",
    unit="actual audit days / IAF MD 5 days",
    source="IAF MD 5:2019 3.9 (reductions capped at 30 %); the time itself from IAF MD 5 "
    "tables QMS 1, EMS 1, OH&SMS 1 as the body reported it",
)
def audit_time_short(t: HubTables, as_of: date) -> ir.Table:
    a = t.audits
    done = a.filter(a.end_on < literal_day(as_of), a.md5_days > 0)
    short = done.mutate(share=done.actual_days / done.md5_days)
    short = short.filter(short.share < MD5_SHARE)
    return row(
        short,
        indicator="audit-time-short",
        entity_kind="audit",
        entity_id=short.audit_id,
        value=short.share,
        threshold=MD5_SHARE,
        evidence=ibis.array([short.audit_id.cast("string")]),
        day=short.start_on,
        body_id=short.body_id,
        org_id=short.org_id,
    )


@indicator(
    id="onsite-share-low",
    entity="audit",
    inputs=("audits",),
    threshold=ONSITE_SHARE,
    direction="below",
    measure="share",
    unit="on-site audit days / actual audit days",
    source="IAF MD 5:2019 4.1 as qcert's reference table (schemes/reference/iaf_md5.yaml, "
    "on_site_min_share) reads it; the lifecycle refuses the same at completion",
)
def onsite_share_low(t: HubTables, as_of: date) -> ir.Table:
    done = _on_site_done(t, as_of)
    done = done.filter(done.actual_days > 0)
    low = done.mutate(share=done.onsite_days / done.actual_days)
    low = low.filter(low.share < ONSITE_SHARE)
    return row(
        low,
        indicator="onsite-share-low",
        entity_kind="audit",
        entity_id=low.audit_id,
        value=low.share,
        threshold=ONSITE_SHARE,
        evidence=ibis.array([low.audit_id.cast("string")]),
        day=low.start_on,
        body_id=low.body_id,
        org_id=low.org_id,
    )


@indicator(
    id="remote-share-high",
    peer_relative=True,
    entity="body",
    inputs=("audits",),
    threshold=REMOTE_MADS,
    direction="above",
    measure="share",
    unit="share of the body's audits held remotely (FS02) in the 365 days before the scan",
    source="IAF MD 4:2023 (remote audits only where the risk allows); robust outlier rule: "
    "Leys et al. 2013, J. Exp. Soc. Psychol. 49:764-766; MAD scale: Rousseeuw & Croux 1993",
)
def remote_share_high(t: HubTables, as_of: date) -> ir.Table:
    a = t.audits
    since = literal_day(as_of - timedelta(days=365))
    year = a.filter(a.end_on >= since, a.end_on < literal_day(as_of))
    bodies = year.group_by("body_id").aggregate(
        n=year.count(), remote=(year.method == "FS02").cast("int64").sum()
    )
    bodies = bodies.filter(bodies.n >= REMOTE_MIN_AUDITS)
    bodies = bodies.mutate(share=bodies.remote.cast("float64") / bodies.n)
    scored = peer_scale(bodies, "share", floor=REMOTE_FLOOR)
    high = scored.filter(scored.z > REMOTE_MADS)
    return row(
        high,
        indicator="remote-share-high",
        entity_kind="body",
        entity_id=high.body_id,
        value=high.share,
        threshold=high.median + REMOTE_MADS * high.scale,
        evidence=ibis.array([high.body_id]),
        day=literal_day(as_of),
        body_id=high.body_id,
    )
