"""A synthetic national hub with planted misconduct, vectorised with NumPy (synthetic data).

No real hub data exists in this project, so :func:`world` draws one from a stated model, to
test and time the indicators at the size qcert is designed for (about 1,100 bodies, 1,000,000
organisations, 3,500,000 certificates and 10,000,000 audits at ``scale=1``). It claims nothing
about real bodies.

The model: bodies of log-normal size, each approved for four schemes in 12 of the 39 IAF
sectors; auditors in each body's pool in proportion to its size; organisations around 12 cities;
certificates issued up to three years before the scan (a few much earlier), each with its stage
1 and 2 audits and yearly surveillance (a recertification every third visit) until the scan;
teams of 1-3 from the body's pool, taken in turn, so no auditor is in two places at once; on-site
audits checked in and out at the site; reports within two days; national sampling with a special
audit within 25 days of a failure. Then each indicator's misconduct is planted in a few hundred
entities (scaled), listed in :attr:`Synthetic.planted`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .tables import TABLES, arrow_schema

__all__ = ["AS_OF", "Synthetic", "world"]
# At scale 1 the world below is the size qcert is designed for.
FULL = {"bodies": 1100, "organisations": 1_000_000, "certificates": 3_500_000}

AS_OF = date(2025, 7, 1)
# (province, city, latitude, longitude): GB/T 2260 codes and city centres.
CITIES = (
    ("110000", "110100", 39.90, 116.41),
    ("310000", "310100", 31.23, 121.47),
    ("440000", "440100", 23.13, 113.26),
    ("440000", "440300", 22.54, 114.06),
    ("330000", "330100", 30.27, 120.16),
    ("320000", "320100", 32.06, 118.80),
    ("510000", "510100", 30.57, 104.07),
    ("420000", "420100", 30.59, 114.31),
    ("610000", "610100", 34.34, 108.94),
    ("370000", "370200", 36.07, 120.38),
    ("210000", "210100", 41.81, 123.43),
    ("650000", "650100", 43.83, 87.62),
)
SCHEMES = ("QMS", "EMS", "OHSMS", "EnMS")
SIZES = ("micro", "small", "medium", "large")
INITIAL_DAYS = np.array([2.0, 4.0, 7.0, 12.0])  # IAF MD 5-like initial audit time by size
DAY = np.timedelta64(1, "D")


@dataclass
class Synthetic:
    """The tables (Arrow, in the contract's schemas), the scan day, and the planted entities:
    indicator id → the entity ids where its misconduct was planted."""

    tables: dict[str, pa.Table]
    as_of: date
    planted: dict[str, set[str]] = field(default_factory=dict)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _half(x: np.ndarray) -> np.ndarray:
    """Rounded to the nearest half day, at least half a day (IAF MD 5:2019 2.2.3)."""
    return np.maximum(np.round(x * 2) / 2, 0.5)


def _group_cumsum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting where ``first`` is true."""
    total = np.cumsum(values)
    starts = np.flatnonzero(first)
    base = np.repeat(total[starts] - values[starts], np.diff(np.append(starts, len(values))))
    return total - base


def _table(name: str, columns: dict[str, object]) -> pa.Table:
    schema = arrow_schema(name)
    return pa.table({n: pa.array(columns[n], type=schema.field(n).type) for n in schema.names})


class _Builder:
    def __init__(self, scale: float, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.scale = scale
        self.as_of = np.datetime64(AS_OF, "D")
        self.planted: dict[str, set[str]] = {}
        self.k = max(3, round(300 * scale))  # planted cases per indicator
        self.m = max(2, round(5 * scale))  # planted bodies per body-level indicator

    # .. parties ...............................................................
    def bodies(self) -> None:
        rng, nb = self.rng, max(12, round(1100 * self.scale))
        self.nb = nb
        w = rng.lognormal(0.0, 1.0, nb)
        self.weight = w / w.sum()
        self.body_city = rng.integers(len(CITIES), size=nb)
        self.body_ids = _ids("CNCA-R-", np.arange(nb), 5)
        self.sectors = np.sort(
            np.argsort(rng.random((nb, 39)), axis=1)[:, :12] + 1, axis=1
        )  # 12 of the 39 IAF sectors per body
        per_body = rng.integers(8, 40, size=nb).astype(float)
        n_auditors = max(nb * 6, round(100_000 * self.scale))
        pool = np.maximum(6, np.floor(self.weight * n_auditors)).astype(int)
        self.pool_count, self.pool_start = pool, np.concatenate([[0], np.cumsum(pool)[:-1]])
        self.na = int(pool.sum())
        self.auditor_body = np.repeat(np.arange(nb), pool)
        self.reg_ids = _ids("2024-N1-", np.arange(self.na), 7)
        del per_body

    def organisations(self) -> None:
        rng, no = self.rng, max(300, round(1_000_000 * self.scale))
        self.no = no
        self.org_city = rng.integers(len(CITIES), size=no)
        city = np.array([c[2:] for c in CITIES])[self.org_city]
        self.org_lat = city[:, 0] + rng.normal(0, 0.25, no)
        self.org_lon = city[:, 1] + rng.normal(0, 0.25, no)
        self.org_size = rng.choice(4, size=no, p=[0.4, 0.35, 0.2, 0.05])
        adcodes = np.array([c[1] for c in CITIES])[self.org_city]
        self.org_ids = pc.binary_join_element_wise(
            "91", pa.array(adcodes), _ids("", np.arange(no), 9), "X", ""
        )
        self.dereg = np.full(no, np.datetime64("NaT"), dtype="datetime64[D]")

    # .. certificates and audits ..............................................
    def certificates(self) -> None:
        rng, nc = self.rng, max(900, round(3_500_000 * self.scale))
        self.nc = nc
        self.cert_body = rng.choice(self.nb, size=nc, p=self.weight)
        self.cert_org = rng.integers(self.no, size=nc)
        self.cert_scheme = rng.choice(4, size=nc, p=[0.6, 0.25, 0.12, 0.03])
        self.cert_sector = self.sectors[self.cert_body, rng.integers(12, size=nc)]
        self.first_issue = self.as_of - rng.integers(15, 1100, size=nc) * DAY
        self.withdrawn = np.full(nc, np.datetime64("NaT"), dtype="datetime64[D]")
        quit_ = rng.random(nc) < 0.02
        span = (self.as_of - self.first_issue).astype(int)
        self.withdrawn[quit_] = (
            self.first_issue[quit_]
            + (rng.random(quit_.sum()) * span[quit_]).astype(int) * DAY
            + DAY
        )
        self.applied = self.first_issue - rng.integers(45, 90, size=nc) * DAY

    def plant_long_histories(self) -> None:
        # auditor-same-client: a few certificates held for 12.5 years, one leader throughout.
        self.long = self.rng.choice(self.nc, size=max(2, round(50 * self.scale)), replace=False)
        self.first_issue[self.long] = self.as_of - 4570 * DAY
        self.applied[self.long] = self.first_issue[self.long] - 60 * DAY
        self.withdrawn[self.long] = np.datetime64("NaT")

    def audits(self) -> None:
        rng = self.rng
        visits = ((self.as_of - self.first_issue).astype(int) // 325) + 1
        per = 2 + visits
        cert = np.repeat(np.arange(self.nc), per)
        first = np.zeros(len(cert), bool)
        first[np.concatenate([[0], np.cumsum(per)[:-1]])] = True
        pos = _group_cumsum(np.ones(len(cert), int), first) - 1
        step = np.where(pos >= 2, 365 - rng.integers(5, 40, size=len(cert)), 0)
        stage2 = self.first_issue[cert] - 14 * DAY
        start = stage2 + _group_cumsum(step, first) * DAY
        start = np.where(pos == 0, stage2 - rng.integers(14, 30, size=len(cert)) * DAY, start)
        keep = start < self.as_of - 3 * DAY
        gone = ~np.isnat(self.withdrawn[cert])
        keep &= ~(gone & (start >= self.withdrawn[cert]))
        cert, pos, start = cert[keep], pos[keep], start[keep]
        kind = np.where(pos == 0, 0, np.where(pos == 1, 1, np.where((pos - 1) % 3 == 0, 3, 2)))
        n = len(cert)
        size = self.org_size[self.cert_org[cert]]
        base = INITIAL_DAYS[size]
        factor = np.array([0.3, 0.7, 1 / 3, 2 / 3])[kind]
        md5 = _half(base * factor)
        actual = _half(md5 * rng.uniform(0.95, 1.25, n))
        method = rng.choice(3, size=n, p=[0.8, 0.1, 0.1])
        team = np.where(base <= 2, 1, rng.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15]))
        # At most three calendar days on site, so an auditor's turns never overlap.
        team = np.maximum(team, np.ceil(actual / 3)).astype(int)
        self.a = {
            "cert": cert,
            "kind": kind,
            "start": start,
            "md5": md5,
            "actual": actual,
            "method": method,
            "team": team,
            "major": np.where(kind == 0, 0, rng.poisson(0.15, n)),
            "minor": np.where(
                kind == 0, 0, rng.poisson(1.2 + (self.cert_sector[cert] % 5) * 0.2, n)
            ),
        }

    def special_audits(self) -> None:
        """National sampling: 5 % of organisations sampled, more often failing with more
        findings; each certificate in force then gets a special audit within 25 days (not the
        planted)."""
        rng = self.rng
        sampled = rng.choice(self.no, size=max(30, round(0.05 * self.no)), replace=False)
        on = self.as_of - rng.integers(40, 700, size=len(sampled)) * DAY
        # Organisations with more findings per audit fail more often: logit p = -6 + 2 ×
        # nonconformities per audit + 2 × majors per audit (so the risk model has something to
        # learn; the figures are this model's, not measured).
        org = self.cert_org[self.a["cert"]]
        audits = np.maximum(np.bincount(org, minlength=self.no), 1)
        majors = np.bincount(org, weights=self.a["major"], minlength=self.no) / audits
        minors = np.bincount(org, weights=self.a["minor"], minlength=self.no) / audits
        logit = -6.0 + 2.0 * (majors + minors)[sampled] + 2.0 * majors[sampled]
        failed = rng.random(len(sampled)) < 1 / (1 + np.exp(-logit))
        failed[: self.k // 3 + 1] = True
        self.sampling = (sampled, on, failed)
        order = np.argsort(self.cert_org, kind="stable")
        lo = np.searchsorted(self.cert_org[order], sampled[failed], "left")
        hi = np.searchsorted(self.cert_org[order], sampled[failed], "right")
        owner = np.repeat(np.arange(failed.sum()), hi - lo)
        certs = order[
            np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)])
            if len(lo)
            else np.array([], int)
        ]
        day = on[failed][owner]
        held = (self.first_issue[certs] <= day) & (
            np.isnat(self.withdrawn[certs]) | (self.withdrawn[certs] > day)
        )
        planted_org = np.zeros(failed.sum(), bool)
        planted_org[: self.k // 3 + 1] = True
        skip = planted_org[owner]
        self.planted["sampling-no-follow-up"] = set(
            pa.array(self.cert_ids_of(certs[held & skip])).to_pylist()
        )
        follow = certs[held & ~skip]
        n = len(follow)
        extra = {
            "cert": follow,
            "kind": np.full(n, 4),
            "start": day[held & ~skip] + rng.integers(3, 25, size=n) * DAY,
            "md5": np.ones(n),
            "actual": np.ones(n),
            "method": np.zeros(n, int),
            "team": np.ones(n, int),
            "major": rng.poisson(1.0, n),
            "minor": rng.poisson(1.0, n),
        }
        self.a = {key: np.concatenate([self.a[key], extra[key]]) for key in self.a}

    def cert_ids_of(self, index: np.ndarray) -> pa.Array:
        return _ids("QC", index, 9)

    # .. plants on audits, before teams are drawn ..............................
    def _pick(self, mask: np.ndarray, k: int | None = None) -> np.ndarray:
        """``k`` random indices where ``mask`` holds, never one taken by an earlier plant."""
        free = np.flatnonzero(mask & ~self.taken)
        chosen = self.rng.choice(free, size=min(k or self.k, len(free)), replace=False)
        self.taken[chosen] = True
        return chosen

    def plant_audits(self) -> None:
        a, rng = self.a, self.rng
        n = len(a["cert"])
        self.taken = np.zeros(n, bool)
        self.taken[np.isin(a["cert"], self.long)] = True
        surveillance = a["kind"] == 2
        short = self._pick(surveillance & (a["md5"] >= 1.5))
        a["actual"][short] = _half(a["md5"][short] * 0.5)
        self.short = short
        combined = self._pick(a["method"] == 2)
        self.low_onsite = combined
        body = self.cert_body[a["cert"]]
        big = np.argsort(self.weight)[::-1][: max(12, self.nb // 4)]
        remote, mills = big[: self.m], big[self.m : 2 * self.m]
        self.planted["remote-share-high"] = set(self.body_ids.take(pa.array(remote)).to_pylist())
        in_remote = np.isin(body, remote) & (rng.random(n) < 0.6) & ~self.taken
        a["method"][in_remote] = 1
        self.planted["mill-rate"] = set(self.body_ids.take(pa.array(mills)).to_pylist())
        in_mill = np.isin(body, mills)
        a["actual"][in_mill], a["team"][in_mill] = 0.5, 1
        # surveillance-gap: the first yearly visit of a few certificates is skipped.
        first_visit = (
            (a["kind"] == 2)
            & (np.r_[-1, a["cert"][:-1]] == a["cert"])
            & (np.r_[-1, a["kind"][:-1]] == 1)
        )
        live = np.isnat(self.withdrawn)
        gap = self._pick(first_visit & live[a["cert"]] & ~in_mill & ~in_remote)
        self.planted["surveillance-gap"] = set(self.cert_ids_of(a["cert"][gap]).to_pylist())
        # report-missing: every audit of a few certificates unreported.
        certs = np.unique(a["cert"][self._pick(a["kind"] == 1)])
        self.planted["report-missing"] = set(self.cert_ids_of(certs).to_pylist())
        drop = np.isin(a["cert"], certs)
        drop[gap] = True
        keep = ~drop
        self.a = {key: value[keep] for key, value in a.items()}
        self.taken = self.taken[keep]
        remap = np.cumsum(keep) - 1
        self.short, self.low_onsite = remap[short[keep[short]]], remap[combined[keep[combined]]]

    def finish_audits(self) -> None:
        """Audit ids in each body's calendar order, dates, on-site days, teams in turn."""
        a, rng = self.a, self.rng
        body = self.cert_body[a["cert"]]
        order = np.lexsort((a["start"], body))
        self.a = a = {key: value[order] for key, value in a.items()}
        self.taken = self.taken[order]
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        self.short, self.low_onsite = inverse[self.short], inverse[self.low_onsite]
        body = body[order]
        n = len(body)
        a["body"] = body
        a["lat"] = self.org_lat[self.cert_org[a["cert"]]]
        a["lon"] = self.org_lon[self.cert_org[a["cert"]]]
        a["end"] = a["start"] + (np.ceil(a["actual"] / a["team"]).astype(int) - 1) * DAY
        a["onsite"] = np.select(
            [a["method"] == 0, a["method"] == 1], [a["actual"], 0.0], a["actual"] * 0.85
        )
        a["onsite"][self.low_onsite] = a["actual"][self.low_onsite] * 0.5
        # Pools in proportion to each body's team places, so every auditor's turn comes as
        # often whatever the body's size; then teams in turn: slot s goes to member s mod pool.
        places = np.bincount(body, weights=a["team"], minlength=self.nb)
        pool = np.maximum(24, np.floor(places / places.sum() * self.na)).astype(int)
        self.pool_count, self.pool_start = pool, np.concatenate([[0], np.cumsum(pool)[:-1]])
        self.na = int(pool.sum())
        self.auditor_body = np.repeat(np.arange(self.nb), pool)
        self.reg_ids = _ids("2024-N1-", np.arange(self.na), 7)
        first = np.r_[True, body[1:] != body[:-1]]
        slot = _group_cumsum(a["team"], first) - a["team"]
        member = np.repeat(np.arange(n), a["team"])
        k = np.arange(len(member)) - np.repeat(np.cumsum(a["team"]) - a["team"], a["team"])
        b = body[member]
        who = self.pool_start[b] + (slot[member] + k) % self.pool_count[b]
        long_rows = np.isin(a["cert"][member], self.long) & (k == 0)
        who[long_rows] = self.pool_start[b[long_rows]]  # one leader throughout
        self.planted["auditor-same-client"] = set(
            self.reg_ids.take(pa.array(np.unique(who[long_rows]))).to_pylist()
        )
        self.t = {"audit": member, "who": who, "lead": k == 0}
        # auditor-lenient: a few leaders with at least 40 led audits find nothing.
        led = np.bincount(who[k == 0], minlength=self.na)
        lenient = rng.choice(
            np.flatnonzero(led >= 40), size=min(self.k, (led >= 40).sum()), replace=False
        )
        self.planted["auditor-lenient"] = set(self.reg_ids.take(pa.array(lenient)).to_pylist())
        silenced = member[(k == 0) & np.isin(who, lenient)]
        a["major"][silenced] = 0
        a["minor"][silenced] = 0
        del rng

    def checkins(self) -> None:
        a, t, rng = self.a, self.t, self.rng
        on_site = a["method"][t["audit"]] != 1
        audit, who = t["audit"][on_site], t["who"][on_site]
        n = len(audit)
        lat = np.r_[a["lat"][audit], a["lat"][audit]] + rng.normal(0, 0.002, 2 * n)
        lon = np.r_[a["lon"][audit], a["lon"][audit]] + rng.normal(0, 0.002, 2 * n)
        start = a["start"][audit].astype("datetime64[us]")
        end = a["end"][audit].astype("datetime64[us]")
        minutes = np.timedelta64(60_000_000, "us")
        at_in = start + (30 + rng.integers(0, 60, n)) * minutes
        at_out = end + (540 + rng.integers(0, 60, n)) * minutes
        self.c = {
            "audit": np.r_[audit, audit],
            "who": np.r_[who, who],
            "kind": np.r_[np.zeros(n, int), np.ones(n, int)],
            "at": np.r_[at_in, at_out],
            "lat": lat,
            "lon": lon,
        }

    # .. plants on people and check-ins ........................................
    def plant_checkins(self) -> None:
        a, c, t, rng = self.a, self.c, self.t, self.rng
        # Check-in rows are the on-site team rows twice (in, then out), in team order.
        fs01 = a["method"] == 0
        missing = self._pick(fs01)
        far = self._pick(fs01)
        self.planted["checkin-missing"] = {str(i) for i in missing}
        self.planted["checkin-far"] = {str(i) for i in far}
        half = len(c["audit"]) // 2
        lead_in = np.flatnonzero(t["lead"][a["method"][t["audit"]] != 1])
        by_audit = dict(zip(c["audit"][:half][lead_in].tolist(), lead_in.tolist(), strict=True))
        rows_far = np.array([by_audit[i] for i in far.tolist()], int)
        c["lat"][rows_far] += 0.1  # 11 km north
        rows_missing = np.array([by_audit[i] for i in missing.tolist()], int) + half
        keep = np.ones(len(c["audit"]), bool)
        keep[rows_missing] = False
        self.c = c = {key: value[keep] for key, value in c.items()}
        self.planted["audit-time-short"] = {str(i) for i in self.short}
        self.planted["onsite-share-low"] = {str(i) for i in self.low_onsite}
        # Double booking: the leader of audit A joins audit B of another body on the same days.
        lead_of = np.full(len(a["body"]), -1)
        lead_of[t["audit"][t["lead"]]] = t["who"][t["lead"]]
        order = np.lexsort((a["body"], a["start"]))
        same_day = (a["start"][order][1:] == a["start"][order][:-1]) & (
            a["body"][order][1:] != a["body"][order][:-1]
        )
        pairs = np.flatnonzero(same_day & fs01[order][1:] & fs01[order][:-1])
        pairs = rng.choice(pairs, size=min(self.k, len(pairs)), replace=False)
        first, second = order[pairs], order[pairs + 1]
        first = first[a["end"][second] >= a["start"][first]]
        second = second[: len(first)]
        booked = lead_of[first]
        self.planted["auditor-double-booked"] = set(self.reg_ids.take(pa.array(booked)).to_pylist())
        # Impossible travel: a leader checks in at another audit of the body an hour after
        # checking in at their own, more than 900 km away.
        cand = rng.choice(np.flatnonzero(fs01), size=min(20 * self.k, fs01.sum()), replace=False)
        other = rng.choice(np.flatnonzero(fs01), size=len(cand))
        dist = _km(a["lat"][cand], a["lon"][cand], a["lat"][other], a["lon"][other])
        ok = dist > 900  # reached in at most 90 minutes: over 600 km/h
        cand, other = cand[ok][: self.k], other[ok][: self.k]
        travellers = lead_of[cand]
        self.planted["auditor-impossible-travel"] = set(
            self.reg_ids.take(pa.array(travellers)).to_pylist()
        )
        hour = np.timedelta64(3_600_000_000, "us")
        a_in = a["start"][cand].astype("datetime64[us]") + hour
        nb, nt = len(second), len(other)
        b_in = a["start"][second].astype("datetime64[us]") + hour
        b_out = a["end"][second].astype("datetime64[us]") + 9 * hour
        self.t = {
            "audit": np.r_[t["audit"], second, other],
            "who": np.r_[t["who"], booked, travellers],
            "lead": np.r_[t["lead"], np.zeros(nb + nt, bool)],
        }
        self.c = {
            "audit": np.r_[c["audit"], second, second, other, other],
            "who": np.r_[c["who"], booked, booked, travellers, travellers],
            "kind": np.r_[
                c["kind"], np.zeros(nb, int), np.ones(nb, int), np.zeros(nt, int), np.ones(nt, int)
            ],
            "at": np.r_[c["at"], b_in, b_out, a_in + hour, a_in + 3 * hour],
            "lat": np.r_[
                c["lat"], a["lat"][second], a["lat"][second], a["lat"][other], a["lat"][other]
            ],
            "lon": np.r_[
                c["lon"], a["lon"][second], a["lon"][second], a["lon"][other], a["lon"][other]
            ],
        }

    def people(self) -> dict[str, pa.Table]:
        rng = self.rng
        registered = np.ones(self.na, bool)
        recent = self.a["start"][self.t["audit"]] >= self.as_of - 300 * DAY
        active = np.unique(self.t["who"][recent & ~self.t["lead"]])
        bad = rng.choice(active, size=min(self.k, len(active)), replace=False)
        registered[bad] = False
        self.planted["auditor-unregistered"] = set(self.reg_ids.take(pa.array(bad)).to_pylist())
        since = np.datetime64("2012-01-01") + rng.integers(0, 1500, self.na) * DAY
        twice = rng.choice(self.na, size=self.k, replace=False)
        self.planted["auditor-multiply-employed"] = set(
            self.reg_ids.take(pa.array(twice)).to_pylist()
        )
        second_body = (self.auditor_body[twice] + 1) % self.nb
        return {
            "auditors": _table(
                "auditors",
                {"registration_id": self.reg_ids, "name": self.reg_ids, "registered": registered},
            ),
            "auditor_employments": _table(
                "auditor_employments",
                {
                    "registration_id": pa.concat_arrays(
                        [self.reg_ids, self.reg_ids.take(pa.array(twice))]
                    ),
                    "body_id": pa.concat_arrays(
                        [
                            self.body_ids.take(pa.array(self.auditor_body)),
                            self.body_ids.take(pa.array(second_body)),
                        ]
                    ),
                    "since": np.r_[since, np.full(len(twice), self.as_of - 400 * DAY)],
                    "until": np.full(self.na + len(twice), np.datetime64("NaT"), "datetime64[D]"),
                },
            ),
        }


def _km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(np.sqrt(h), 1.0))


def world(scale: float = 1.0, seed: int = 0) -> Synthetic:
    """A synthetic hub of ``scale`` × the national size, misconduct planted (see the module)."""
    from ._synthetic_records import records

    if not 0 < scale <= 1:
        raise ValueError("scale: must be in (0, 1] / 须在 (0, 1] 之间")
    b = _Builder(scale, seed)
    b.bodies()
    b.organisations()
    b.certificates()
    b.plant_long_histories()
    b.audits()
    b.special_audits()
    b.plant_audits()
    b.finish_audits()
    b.checkins()
    b.plant_checkins()
    tables = records(b)
    assert set(tables) == set(TABLES)
    return Synthetic(tables={name: tables[name] for name in TABLES}, as_of=AS_OF, planted=b.planted)
