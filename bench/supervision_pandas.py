"""The baseline of bench/supervision.py: the same 22 indicators written straightforwardly in
pandas (merges, group-bys, shifts), as one would without a query engine. Each returns the
firing (entity_id, day, value) rows; the bench compares their counts with the ibis scan's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from qcert.supervision.analytics import auditors as au
from qcert.supervision.analytics import certificates as ce
from qcert.supervision.analytics import evidence as ev
from qcert.supervision.analytics import reporting as re_
from qcert.supervision.analytics.tables import TABLES

Frames = dict[str, pd.DataFrame]
ON_SITE = ("FS01", "FS03")


def load(paths: dict[str, Path]) -> Frames:
    """Every hub table as a pandas frame (dates as datetime64)."""
    return {name: pq.read_table(paths[name]).to_pandas(date_as_object=False) for name in TABLES}


def _km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(np.sqrt(h), 1.0))


def _out(frame: pd.DataFrame, entity: str, day: str, value: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"entity_id": frame[entity].astype(str), "day": frame[day], "value": frame[value]}
    )


def _robust_z(values: pd.Series, floor: float) -> pd.Series:
    median = values.median()
    scale = max((values - median).abs().median() * 1.4826, floor)
    return (values - median) / scale


def checkin_missing(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    a = f["audits"]
    a = a[a.method.isin(ON_SITE) & (a.end_on < as_of)]
    c = f["checkins"]
    marks = (
        c.assign(i=c.kind == "in", o=c.kind == "out")
        .groupby(["audit_id", "registration_id"], as_index=False)[["i", "o"]]
        .sum()
    )
    team = f["audit_team"].merge(a[["audit_id", "start_on"]], on="audit_id")
    team = team.merge(marks, on=["audit_id", "registration_id"], how="left")
    lacking = team[~(team.i > 0) | ~(team.o > 0)]
    found = lacking.groupby(["audit_id", "start_on"], as_index=False).size()
    return _out(found, "audit_id", "start_on", "size")


def checkin_far(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    a = f["audits"]
    a = a[a.method.isin(ON_SITE) & (a.end_on < as_of)]
    c = f["checkins"].merge(a[["audit_id", "start_on", "site_lat", "site_lon"]], on="audit_id")
    c["km"] = _km(c.lat, c.lon, c.site_lat, c.site_lon)
    far = c[c.km > ev.CHECKIN_KM].groupby(["audit_id", "start_on"], as_index=False).km.max()
    return _out(far, "audit_id", "start_on", "km")


def audit_time_short(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    a = f["audits"]
    a = a[(a.end_on < as_of) & (a.md5_days > 0)]
    share = a.actual_days / a.md5_days
    return _out(a.assign(v=share)[share < ev.MD5_SHARE], "audit_id", "start_on", "v")


def onsite_share_low(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    a = f["audits"]
    a = a[a.method.isin(ON_SITE) & (a.end_on < as_of) & (a.actual_days > 0)]
    share = a.onsite_days / a.actual_days
    return _out(a.assign(v=share)[share < ev.ONSITE_SHARE], "audit_id", "start_on", "v")


def remote_share_high(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    a = f["audits"]
    a = a[(a.end_on >= as_of - timedelta(days=365)) & (a.end_on < as_of)]
    g = a.assign(r=a.method == "FS02").groupby("body_id").agg(n=("r", "size"), r=("r", "sum"))
    g = g[g.n >= ev.REMOTE_MIN_AUDITS]
    g["share"] = g.r / g.n
    high = g[_robust_z(g.share, ev.REMOTE_FLOOR) > ev.REMOTE_MADS].reset_index()
    return _out(high.assign(day=as_of), "body_id", "day", "share")


def _team_audits(f: Frames) -> pd.DataFrame:
    a = f["audits"][["audit_id", "body_id", "org_id", "cert_no", "kind", "start_on", "end_on"]]
    return f["audit_team"].merge(a, on="audit_id")


def double_booked(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    ta = _team_audits(f)
    several = ta.groupby("registration_id").body_id.nunique()
    ta = ta[ta.registration_id.isin(several.index[several > 1])]
    ta = ta.sort_values(["registration_id", "start_on", "end_on", "audit_id"])
    g = ta.groupby("registration_id", sort=False)
    ta["prev_end"], ta["prev_body"] = g.end_on.shift(), g.body_id.shift()
    clash = ta[(ta.prev_end >= ta.start_on) & ta.prev_body.notna() & (ta.prev_body != ta.body_id)]
    overlap = (np.minimum(clash.prev_end, clash.end_on) - clash.start_on).dt.days + 1
    return _out(clash.assign(v=overlap), "registration_id", "start_on", "v")


def impossible_travel(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    c = f["checkins"].sort_values(["registration_id", "at", "audit_id", "kind"])
    g = c.groupby("registration_id", sort=False)
    prev = pd.DataFrame({k: g[k].shift() for k in ("at", "lat", "lon", "audit_id")})
    moved = prev.audit_id.notna() & (prev.audit_id != c.audit_id)
    c, prev = c[moved], prev[moved]
    km = _km(prev.lat, prev.lon, c.lat, c.lon)
    hours = np.maximum((c["at"] - prev["at"]).dt.total_seconds() / 3600, 1 / 60)
    speed = km / hours
    fast = c.assign(v=speed, day=c["at"].dt.normalize())[
        (km > au.TRAVEL_MIN_KM) & (speed > au.TRAVEL_KMH)
    ]
    return _out(fast, "registration_id", "day", "v")


def unregistered(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    ta = _team_audits(f)
    ta = ta[
        (ta.role != "technical-expert")
        & (ta.start_on >= as_of - timedelta(days=365))
        & (ta.start_on < as_of)
    ]
    ok = set(f["auditors"].registration_id[f["auditors"].registered])
    bad = ta[~ta.registration_id.isin(ok)]
    found = bad.groupby(["registration_id", "body_id"], as_index=False).agg(
        v=("audit_id", "nunique"), day=("start_on", "min")
    )
    return _out(found, "registration_id", "day", "v")


def multiply_employed(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    e = f["auditor_employments"]
    e = e[e.since <= as_of].assign(last=e.until.fillna(as_of))
    pairs = e.merge(e, on="registration_id")
    pairs = pairs[
        (pairs.body_id_x < pairs.body_id_y)
        & (pairs.since_x <= pairs.last_y)
        & (pairs.since_y <= pairs.last_x)
    ]
    start = np.maximum(pairs.since_x, pairs.since_y)
    days = (np.minimum(pairs.last_x, pairs.last_y) - start).dt.days + 1
    return _out(pairs.assign(day=start, v=days), "registration_id", "day", "v")


def lenient(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    ta = _team_audits(f)
    ta = ta[
        ta.kind.isin(au.FINDING_KINDS)
        & (ta.end_on >= as_of - timedelta(days=3 * 365))
        & (ta.end_on < as_of)
        & (ta.role == "lead")
    ]
    a = f["audits"]
    found = pd.DataFrame({"audit_id": a.audit_id, "found": a.findings_major + a.findings_minor})
    led = ta.merge(found, on="audit_id").merge(f["certificates"][["cert_no", "sector"]])
    led["expected"] = led.groupby("sector").found.transform("mean")
    per = led.groupby("registration_id").agg(
        n=("found", "size"), found=("found", "sum"), expected=("expected", "sum")
    )
    per = per[(per.n >= au.LENIENT_MIN_AUDITS) & (per.expected > 0)]
    per["ratio"] = per.found / per.expected
    low = per[_robust_z(per.ratio, au.LENIENT_FLOOR) < -au.LENIENT_MADS].reset_index()
    return _out(low.assign(day=as_of), "registration_id", "day", "ratio")


def same_client(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    a = f["audits"]
    a = a[a.start_on < as_of]
    starts = a[a.kind.isin(au.INITIAL_OR_RECERT)].groupby("cert_no").size()
    a = a[a.cert_no.isin(starts.index[starts > au.ROTATION_CYCLES])]
    a = a.sort_values(["cert_no", "start_on", "audit_id"])
    a["cycle"] = a.kind.isin(au.INITIAL_OR_RECERT).astype(int).groupby(a.cert_no).cumsum()
    team = f["audit_team"]
    led = team[team.role == "lead"].merge(a[["audit_id", "cert_no", "cycle", "start_on"]])
    led = led[led.cycle > 0]
    cycles = led.groupby(["registration_id", "cert_no", "cycle"], as_index=False).start_on.max()
    cycles = cycles.sort_values(["registration_id", "cert_no", "cycle"])
    seq = cycles.groupby(["registration_id", "cert_no"]).cumcount()
    cycles["island"] = cycles.cycle - seq
    runs = cycles.groupby(["registration_id", "cert_no", "island"], as_index=False).agg(
        n=("cycle", "size"), day=("start_on", "max")
    )
    return _out(runs[runs.n > au.ROTATION_CYCLES], "registration_id", "day", "n")


def scope_outside(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    c = f["certificates"]
    c = c[c.issued_on <= as_of].reset_index(drop=True)
    m = c.reset_index().merge(f["body_scopes"], on=["body_id", "scheme", "sector"])
    ok = m[(m.granted_on <= m.issued_on) & (m.revoked_on.isna() | (m.revoked_on > m.issued_on))]
    outside = c.drop(index=ok["index"].unique())
    return _out(outside.assign(v=1.0), "cert_no", "issued_on", "v")


def mill_fast(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    c = f["certificates"]
    c = c[c.issued_on <= as_of]
    hours = (c.issued_on + timedelta(days=1) - c.applied_at).dt.total_seconds() / 3600
    return _out(c.assign(v=hours)[hours < ce.MILL_HOURS], "cert_no", "issued_on", "v")


def mill_rate(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    since = as_of - timedelta(days=365)
    c = f["certificates"]
    n = c[(c.issued_on >= since) & (c.issued_on < as_of)].groupby("body_id").size()
    n = n[n >= ce.MILL_MIN_CERTIFICATES]
    a = f["audits"]
    a = a[(a.end_on >= since) & (a.end_on < as_of)]
    people = f["audit_team"].groupby("audit_id").size().rename("people").reset_index()
    a = a.merge(people, on="audit_id")
    days = (a.actual_days * a.people).groupby(a.body_id).sum()
    rate = n / np.maximum(days.reindex(n.index, fill_value=0.0), 0.5)
    high = rate[_robust_z(rate, ce.MILL_FLOOR) > ce.MILL_MADS].rename("v").reset_index()
    return _out(high.assign(day=as_of), "body_id", "day", "v")


def many_standards(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    o = f["organisations"]
    c = f["certificates"]
    c = c[(c.issued_on <= as_of) & c.org_id.isin(o.org_id[o["size"] == "micro"])]
    g = c.groupby(["org_id", "body_id", "issued_on"], as_index=False).scheme.nunique()
    return _out(g[g.scheme > ce.MANY_STANDARDS], "org_id", "issued_on", "scheme")


def _status_on(f: Frames, day: pd.Timestamp) -> pd.Series:
    s = f["status_changes"]
    s = s[s.effective_on <= day].sort_values(["cert_no", "effective_on", "recorded_at", "status"])
    latest = s.groupby("cert_no").status.last()
    c = f["certificates"]
    c = c[c.issued_on <= day].set_index("cert_no")
    status = latest.reindex(c.index).fillna("active")
    return status.where(c.expires_on >= day, "expired")


def deregistered(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    status = _status_on(f, as_of)
    active = status[status == "active"].index
    o = f["organisations"].dropna(subset=["deregistered_on"])
    c = f["certificates"][f["certificates"].cert_no.isin(active)].merge(
        o[["org_id", "deregistered_on"]]
    )
    days = (as_of - c.deregistered_on).dt.days
    c = c.assign(v=days)[days > ce.DEREGISTERED_GRACE_DAYS]
    return _out(c, "cert_no", "deregistered_on", "v")


def surveillance_gap(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    a = f["audits"]
    a = a[a.kind.isin(ce.AUDITED) & (a.start_on < as_of)].sort_values(
        ["cert_no", "start_on", "audit_id"]
    )
    next_start = a.groupby("cert_no").start_on.shift(-1)
    status = _status_on(f, as_of)
    active = a.cert_no.isin(status[status == "active"].index)
    end = next_start.where(next_start.notna() | ~active, as_of)
    gaps = pd.DataFrame({"cert_no": a.cert_no, "start": a.end_on, "end": end}).dropna()
    gaps = gaps.reset_index(drop=True)
    gaps["days"] = (gaps.end - gaps.start).dt.days
    gaps = gaps[gaps.days > ce.SURVEILLANCE_DAYS].reset_index()
    s = f["status_changes"]
    s = s[s.status.isin(ce.STOPPED)]
    hit = gaps.merge(s, on="cert_no")
    hit = hit[(hit.effective_on >= hit.start) & (hit.effective_on <= hit.end)]
    gaps = gaps[~gaps["index"].isin(hit["index"])]
    gaps["day"] = gaps.start + timedelta(days=ce.SURVEILLANCE_DAYS)
    return _out(gaps, "cert_no", "day", "days")


def no_follow_up(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    q = f["sampling_results"]
    q = q[q.failed & (q.sampled_on <= as_of - timedelta(days=ce.FOLLOW_UP_DAYS))]
    c = f["certificates"][["cert_no", "org_id", "issued_on", "expires_on"]]
    held = q.merge(c, on="org_id")
    held = held[(held.issued_on <= held.sampled_on) & (held.expires_on >= held.sampled_on)]
    a = f["audits"]
    s = f["status_changes"]
    follow = pd.concat(
        [
            a.loc[a.kind == "special", ["cert_no", "start_on"]].rename(columns={"start_on": "on"}),
            s.loc[s.status.isin(ce.STOPPED), ["cert_no", "effective_on"]].rename(
                columns={"effective_on": "on"}
            ),
        ]
    )
    j = held.merge(follow, on="cert_no", how="left")
    j.loc[(j.on < j.sampled_on) | (j.on > as_of), "on"] = pd.NaT
    first = j.groupby(["cert_no", "org_id", "sampled_on"], as_index=False).on.min()
    days = (first.on.fillna(as_of) - first.sampled_on).dt.days
    return _out(first.assign(v=days)[days > ce.FOLLOW_UP_DAYS], "cert_no", "sampled_on", "v")


def report_late(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    r = f["reports"]
    r = r[(r.revision == 1) & (r.received_at < as_of)]
    days = (r.received_at - r.occurred_at).dt.total_seconds() / 86400
    late = r.assign(v=days, day=r.occurred_at.dt.normalize())[days > re_.REPORT_LAG_DAYS]
    return _out(late, "record_id", "day", "v")


def report_missing(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    c = f["certificates"]
    c = c[c.issued_on < as_of - timedelta(days=re_.REPORT_LAG_DAYS)]
    bare = c[~c.cert_no.isin(f["audits"].cert_no)]
    return _out(bare.assign(v=0.0), "cert_no", "issued_on", "v")


def report_edited(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    r = f["reports"]
    r = r[
        (r.revision > 1)
        & (r.received_at.dt.normalize() > r.occurred_at.dt.normalize())
        & (r.received_at < as_of)
    ]
    g = r.groupby(["body_id", "record_id"], as_index=False).agg(
        v=("revision", "size"), day=("occurred_at", "min")
    )
    return _out(g.assign(day=g.day.dt.normalize()), "record_id", "day", "v")


def query_unreported(f: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    q = f["public_queries"]
    q = q[(q.queried_at < as_of) & ~q.cert_no.isin(f["certificates"].cert_no)]
    g = q.groupby("cert_no", as_index=False).agg(
        v=("queried_at", "size"), day=("queried_at", "min")
    )
    g = g[g.v > re_.PUBLIC_QUERIES]
    return _out(g.assign(day=g.day.dt.normalize()), "cert_no", "day", "v")


INDICATORS: dict[str, Callable[[Frames, pd.Timestamp], pd.DataFrame]] = {
    "checkin-missing": checkin_missing,
    "checkin-far": checkin_far,
    "audit-time-short": audit_time_short,
    "onsite-share-low": onsite_share_low,
    "remote-share-high": remote_share_high,
    "auditor-double-booked": double_booked,
    "auditor-impossible-travel": impossible_travel,
    "auditor-unregistered": unregistered,
    "auditor-multiply-employed": multiply_employed,
    "auditor-lenient": lenient,
    "auditor-same-client": same_client,
    "scope-outside": scope_outside,
    "mill-fast": mill_fast,
    "mill-rate": mill_rate,
    "mill-many-standards": many_standards,
    "mill-deregistered": deregistered,
    "surveillance-gap": surveillance_gap,
    "sampling-no-follow-up": no_follow_up,
    "report-late": report_late,
    "report-missing": report_missing,
    "report-edited": report_edited,
    "query-unreported": query_unreported,
}


def scan(frames: Frames, as_of: date) -> dict[str, pd.DataFrame]:
    """Every indicator's firing rows, by indicator id."""
    day = pd.Timestamp(as_of)
    return {name: build(frames, day) for name, build in INDICATORS.items()}
