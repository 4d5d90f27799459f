"""Indicators on auditors: double booking, impossible travel, registration and employment,
leniency against sector peers and the same auditor leading a client's audits cycle after cycle."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from ._common import days_between, hours_between, km, literal_day, peer_scale, row
from .registry import indicator
from .tables import HubTables

__all__ = ["LENIENT_MADS", "ROTATION_CYCLES", "TRAVEL_KMH", "TRAVEL_MIN_KM"]

# No door-to-door journey in China averages 500 km/h: a flight's block speed is about 600-750
# km/h before the trips to and from the airports, the fastest trains run at 350 km/h (CR400
# "Fuxing" timetable speed).
TRAVEL_KMH = 500.0
TRAVEL_MIN_KM = 50.0  # below this a "trip" is within one city: clock and GPS noise, not travel
LENIENT_MADS = 3.0
LENIENT_MIN_AUDITS = 20  # an auditor's rate is compared only from this many led audits
LENIENT_FLOOR = 0.1  # the smallest peer scale (ratio found / expected)
ROTATION_CYCLES = 3
EVIDENCE_MAX = 10  # evidence lists keep the first ids, in order
EMPLOYMENT_SOURCE = (
    "《中华人民共和国认证认可条例》 (2020 revision) article 22: an auditor practises in one "
    "certification body only; CCAA auditor registration rules"
)
FINDING_KINDS = ("stage2", "surveillance", "recertification")
INITIAL_OR_RECERT = ("stage2", "recertification")
_count = ibis._.count()


def _team_audits(t: HubTables) -> ir.Table:
    a = t.audits.select("audit_id", "body_id", "org_id", "cert_no", "kind", "start_on", "end_on")
    return t.audit_team.join(a, "audit_id")


@indicator(
    id="auditor-double-booked",
    entity="auditor",
    inputs=("audits", "audit_team"),
    threshold=0,
    direction="above",
    measure="days",
    unit="days the two audits overlap",
    source=EMPLOYMENT_SOURCE + "; ISO/IEC 17021-1:2015 7.2 (competent, available personnel)",
)
def auditor_double_booked(t: HubTables, as_of: date) -> ir.Table:
    ta = _team_audits(t)
    # Only auditors seen on audits of two bodies or more can clash across bodies; the calendar
    # of the others need not be sorted.
    several = ta.group_by("registration_id").aggregate(bodies=ta.body_id.nunique())
    several = several.filter(several.bodies > 1).select("registration_id")
    ta = ta.semi_join(several, "registration_id")
    order = ibis.window(group_by="registration_id", order_by=["start_on", "end_on", "audit_id"])
    ta = ta.mutate(
        prev_end=ta.end_on.lag().over(order),
        prev_body=ta.body_id.lag().over(order),
        prev_id=ta.audit_id.lag().over(order),
    )
    clash = ta.filter(ta.prev_end >= ta.start_on, ta.prev_body != ta.body_id)
    overlap = days_between(clash.start_on, ibis.least(clash.prev_end, clash.end_on)) + 1
    return row(
        clash,
        indicator="auditor-double-booked",
        entity_kind="auditor",
        entity_id=clash.registration_id,
        value=overlap,
        threshold=0,
        evidence=ibis.array([clash.prev_id.cast("string"), clash.audit_id.cast("string")]),
        day=clash.start_on,
        body_id=clash.body_id,
        org_id=clash.org_id,
    )


@indicator(
    id="auditor-impossible-travel",
    entity="auditor",
    inputs=("audits", "checkins"),
    threshold=TRAVEL_KMH,
    direction="above",
    measure="km/h",
    unit="km/h between the last check of one audit and the first of the next",
    source="500 km/h: faster than any door-to-door journey in China (flight block speeds "
    "600-750 km/h before airport transfers; CR400 trains 350 km/h); check-in positions per "
    "CNCA 国认监〔2021〕3号",
)
def auditor_impossible_travel(t: HubTables, as_of: date) -> ir.Table:
    c = t.checkins
    order = ibis.window(group_by="registration_id", order_by=["at", "audit_id", "kind"])
    c = c.mutate(
        prev_at=c.at.lag().over(order),
        prev_lat=c.lat.lag().over(order),
        prev_lon=c.lon.lag().over(order),
        prev_id=c.audit_id.lag().over(order),
    )
    moves = c.filter(c.prev_id.notnull(), c.prev_id != c.audit_id)
    moves = moves.mutate(
        km=km(moves.prev_lat, moves.prev_lon, moves.lat, moves.lon),
        # A minute at least, so two checks at the same instant give a finite speed.
        hours=ibis.greatest(hours_between(moves.prev_at, moves.at), 1 / 60),
    )
    fast = moves.filter(moves.km > TRAVEL_MIN_KM, moves.km / moves.hours > TRAVEL_KMH)
    fast = fast.join(t.audits.select("audit_id", "body_id", "org_id"), "audit_id")
    return row(
        fast,
        indicator="auditor-impossible-travel",
        entity_kind="auditor",
        entity_id=fast.registration_id,
        value=fast.km / fast.hours,
        threshold=TRAVEL_KMH,
        evidence=ibis.array([fast.prev_id.cast("string"), fast.audit_id.cast("string")]),
        day=fast.at.date(),
        body_id=fast.body_id,
        org_id=fast.org_id,
    )


@indicator(
    id="auditor-unregistered",
    entity="auditor",
    inputs=("audits", "audit_team", "auditors"),
    threshold=0,
    direction="above",
    measure="audits",
    unit="audits started in the 365 days before the scan",
    source="《中华人民共和国认证认可条例》 article 22 and 《认证机构管理办法》: audits only by "
    "registered auditors; ISO/IEC 17021-1:2015 7.2",
)
def auditor_unregistered(t: HubTables, as_of: date) -> ir.Table:
    ta = _team_audits(t)
    since = literal_day(as_of - timedelta(days=365))
    ta = ta.filter(
        ta.role != "technical-expert", ta.start_on >= since, ta.start_on < literal_day(as_of)
    )
    known = t.auditors.filter(t.auditors.registered).select("registration_id")
    bad = ta.anti_join(known, "registration_id")
    found = bad.group_by("registration_id", "body_id").aggregate(
        n=bad.audit_id.nunique(),
        first=bad.start_on.min(),
        ids=bad.audit_id.cast("string").collect(distinct=True).sort(),
    )
    return row(
        found,
        indicator="auditor-unregistered",
        entity_kind="auditor",
        entity_id=found.registration_id,
        value=found.n,
        threshold=0,
        evidence=found.ids[:EVIDENCE_MAX],
        day=found.first,
        body_id=found.body_id,
    )


@indicator(
    id="auditor-multiply-employed",
    entity="auditor",
    inputs=("auditor_employments",),
    threshold=0,
    direction="above",
    measure="days",
    unit="days the two employments overlap (up to the scan day)",
    source=EMPLOYMENT_SOURCE,
)
def auditor_multiply_employed(t: HubTables, as_of: date) -> ir.Table:
    e = t.auditor_employments
    e = e.filter(e.since <= literal_day(as_of)).mutate(
        last=ibis.coalesce(e.until, literal_day(as_of))
    )
    other = e.view()
    pairs = e.join(
        other,
        [
            e.registration_id == other.registration_id,
            e.body_id < other.body_id,
            e.since <= other["last"],
            other.since <= e["last"],
        ],
    ).select(
        registration_id=e.registration_id,
        first_body=e.body_id,
        body_id=other.body_id,
        start=ibis.greatest(e.since, other.since),
        end=ibis.least(e["last"], other["last"]),
    )
    return row(
        pairs,
        indicator="auditor-multiply-employed",
        entity_kind="auditor",
        entity_id=pairs.registration_id,
        value=days_between(pairs.start, pairs.end) + 1,
        threshold=0,
        evidence=ibis.array([pairs.first_body, pairs.body_id]),
        day=pairs.start,
        body_id=pairs.body_id,
    )


@indicator(
    id="auditor-lenient",
    peer_relative=True,
    entity="auditor",
    inputs=("audits", "audit_team", "certificates"),
    threshold=LENIENT_MADS,
    direction="below",
    measure="ratio",
    unit="nonconformities found / expected from the sectors' rates (audits led, 3 years)",
    source="ISO/IEC 17021-1:2015 9.4.5 (audit findings); indirect standardisation by sector "
    "(observed / expected); robust outlier rule: Leys et al. 2013; MAD scale: Rousseeuw & "
    "Croux 1993",
)
def auditor_lenient(t: HubTables, as_of: date) -> ir.Table:
    ta = _team_audits(t)
    since = literal_day(as_of - timedelta(days=3 * 365))
    window = ta.filter(
        ta.kind.isin(FINDING_KINDS), ta.end_on >= since, ta.end_on < literal_day(as_of)
    )
    led = window.filter(window.role == "lead")
    a = t.audits.select("audit_id", found=t.audits.findings_major + t.audits.findings_minor)
    led = led.join(a, "audit_id").join(t.certificates.select("cert_no", "sector"), "cert_no")
    sectors = led.group_by("sector").aggregate(expected=led.found.mean())
    led = led.join(sectors, "sector")
    per = led.group_by("registration_id").aggregate(
        n=led.count(),
        found=led.found.sum(),
        expected=led.expected.sum(),
        body_id=led.body_id.max(),
    )
    per = per.filter(per.n >= LENIENT_MIN_AUDITS, per.expected > 0)
    per = per.mutate(ratio=per.found.cast("float64") / per.expected)
    scored = peer_scale(per, "ratio", floor=LENIENT_FLOOR)
    low = scored.filter(scored.z < -LENIENT_MADS)
    return row(
        low,
        indicator="auditor-lenient",
        entity_kind="auditor",
        entity_id=low.registration_id,
        value=low.ratio,
        threshold=low.median - LENIENT_MADS * low.scale,
        evidence=ibis.array([low.registration_id]),
        day=literal_day(as_of),
        body_id=low.body_id,
    )


@indicator(
    id="auditor-same-client",
    entity="auditor",
    inputs=("audits", "audit_team"),
    threshold=ROTATION_CYCLES,
    direction="above",
    measure="cycles",
    unit="consecutive certification cycles of one certificate in which the auditor led an audit",
    source="ISO/IEC 17021-1:2015 5.2 (impartiality: familiarity threat) and 9.1.3.1 (the "
    "three-year certification cycle); 3 cycles: the hub's rotation figure",
)
def auditor_same_client(t: HubTables, as_of: date) -> ir.Table:
    a = t.audits.filter(t.audits.start_on < literal_day(as_of))
    # Only certificates with more cycles than the threshold can fire.
    starts_per = a.filter(a.kind.isin(INITIAL_OR_RECERT)).group_by("cert_no").aggregate(n=_count)
    long = starts_per.filter(starts_per.n > ROTATION_CYCLES).select("cert_no")
    a = a.semi_join(long, "cert_no")
    by_start = ibis.cumulative_window(group_by="cert_no", order_by=["start_on", "audit_id"])
    starts = a.kind.isin(INITIAL_OR_RECERT).cast("int64")
    a = a.mutate(cycle=starts.sum().over(by_start))
    led = t.audit_team.filter(t.audit_team.role == "lead").join(
        a.select("audit_id", "cert_no", "body_id", "org_id", "cycle", "start_on"), "audit_id"
    )
    cycles = (
        led.filter(led.cycle > 0)
        .group_by("registration_id", "cert_no", "cycle")
        .aggregate(body_id=led.body_id.max(), org_id=led.org_id.max(), last=led.start_on.max())
    )
    order = ibis.window(group_by=["registration_id", "cert_no"], order_by="cycle")
    cycles = cycles.mutate(seq=ibis.row_number().over(order))
    cycles = cycles.mutate(island=cycles.cycle - cycles.seq)
    runs = cycles.group_by("registration_id", "cert_no", "island").aggregate(
        n=cycles.count(),
        body_id=cycles.body_id.max(),
        org_id=cycles.org_id.max(),
        last=cycles["last"].max(),
    )
    runs = runs.filter(runs.n > ROTATION_CYCLES)
    return row(
        runs,
        indicator="auditor-same-client",
        entity_kind="auditor",
        entity_id=runs.registration_id,
        value=runs.n,
        threshold=ROTATION_CYCLES,
        evidence=ibis.array([runs.cert_no]),
        day=runs["last"],
        body_id=runs.body_id,
        org_id=runs.org_id,
    )
