"""The second half of :mod:`qcert.supervision.analytics.synthetic`: certificates, status
changes, reports, public queries and sampling results, with their planted misconduct."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from .synthetic import CITIES, DAY, SCHEMES, SIZES, _ids, _table

__all__ = ["records"]


def records(b: Any) -> dict[str, pa.Table]:
    """Every table the builder ``b`` has not produced yet."""
    out: dict[str, pa.Table] = {}
    certs = _certificates(b)
    out["certificates"] = certs
    out["status_changes"] = _status(b)
    out.update(_parties(b))
    out.update(_audits(b))
    out["reports"] = _reports(b)
    out["public_queries"] = _queries(b)
    sampled, on, failed = b.sampling
    out["sampling_results"] = _table(
        "sampling_results",
        {"org_id": b.org_ids.take(pa.array(sampled)), "sampled_on": on, "failed": failed},
    )
    return out


def _certificates(b: Any) -> pa.Table:
    rng, a = b.rng, b.a
    recerts = np.bincount(a["cert"][a["kind"] == 3], minlength=b.nc)
    expires = b.first_issue + (1 + recerts) * 1095 * DAY - DAY
    applied = b.applied.astype("datetime64[us]") + np.timedelta64(2 * 3_600_000_000, "us")
    sector = b.cert_sector.copy()
    free = np.ones(b.nc, bool)
    free[np.unique(a["cert"][b.taken])] = False
    free[b.long] = False
    outside = rng.choice(np.flatnonzero(free), size=b.k, replace=False)
    free[outside] = False
    approved = np.zeros((b.nb, 40), bool)
    approved[np.arange(b.nb)[:, None], b.sectors] = True
    approved[:, 0] = True  # sector 0 does not exist
    sector[outside] = np.argmin(approved[b.cert_body[outside]], axis=1)
    b.planted["scope-outside"] = set(b.cert_ids_of(outside).to_pylist())
    fast = rng.choice(np.flatnonzero(free), size=b.k, replace=False)
    free[fast] = False
    applied[fast] = (b.first_issue[fast] - DAY).astype("datetime64[us]") + np.timedelta64(
        2 * 3_600_000_000, "us"
    )
    b.planted["mill-fast"] = set(b.cert_ids_of(fast).to_pylist())
    # Deregistered organisations: most had their certificates withdrawn within 20 days; a few
    # planted ones still hold an active certificate 200 days on.
    live = free & np.isnat(b.withdrawn)
    dereg_certs = rng.choice(np.flatnonzero(live), size=2 * b.k, replace=False)
    orgs = b.cert_org[dereg_certs]
    b.dereg[orgs] = b.as_of - rng.integers(60, 200, size=len(orgs)) * DAY
    planted = dereg_certs[: b.k]
    b.dereg[b.cert_org[planted]] = b.as_of - 200 * DAY
    held = np.isin(b.cert_org, orgs) & np.isnat(b.withdrawn)
    planted_org = np.isin(b.cert_org, b.cert_org[planted])
    withdraw = held & ~planted_org
    b.withdrawn[withdraw] = np.maximum(
        b.dereg[b.cert_org[withdraw]] + rng.integers(1, 20, withdraw.sum()) * DAY,
        b.first_issue[withdraw] + DAY,
    )
    b.planted["mill-deregistered"] = set(
        b.cert_ids_of(np.flatnonzero(held & planted_org)).to_pylist()
    )
    status = np.where(np.isnat(b.withdrawn), "active", "withdrawn")
    cert_no = b.cert_ids_of(np.arange(b.nc))
    # Many standards to a micro firm: four certificates of one body on one day, no audits.
    micro = np.flatnonzero(b.org_size == 0)
    firms = rng.choice(micro, size=min(b.k, len(micro)), replace=False)
    body = rng.integers(b.nb, size=len(firms))
    n = len(firms)
    day = b.as_of - rng.integers(30, 300, n) * DAY
    b.planted["mill-many-standards"] = set(b.org_ids.take(pa.array(firms)).to_pylist())
    extra = {
        "cert_no": _ids("QM", np.arange(4 * n), 9),
        "body_id": b.body_ids.take(pa.array(np.tile(body, 4))),
        "org_id": b.org_ids.take(pa.array(np.tile(firms, 4))),
        "scheme": np.repeat(np.array(SCHEMES), n),
        "sector": np.tile(b.sectors[body, 0], 4),
        "applied_at": np.tile(day - 60 * DAY, 4).astype("datetime64[us]"),
        "issued_on": np.tile(day, 4),
        "expires_on": np.tile(day + 1094 * DAY, 4),
        "status": np.full(4 * n, "active"),
    }
    b.extra_certs = extra
    b.extra_body = np.tile(body, 4)
    base = {
        "cert_no": cert_no,
        "body_id": b.body_ids.take(pa.array(b.cert_body)),
        "org_id": b.org_ids.take(pa.array(b.cert_org)),
        "scheme": np.array(SCHEMES)[b.cert_scheme],
        "sector": _ids("", sector, 2),
        "applied_at": applied,
        "issued_on": b.first_issue,
        "expires_on": expires,
        "status": status,
    }
    return pa.concat_tables(
        [
            _table("certificates", base),
            _table("certificates", {**extra, "sector": _ids("", extra["sector"], 2)}),
        ]
    )


def _status(b: Any) -> pa.Table:
    gone = np.flatnonzero(~np.isnat(b.withdrawn))
    extra = b.extra_certs
    cert = pa.concat_arrays([b.cert_ids_of(np.arange(b.nc)), b.cert_ids_of(gone), extra["cert_no"]])
    on = np.r_[b.first_issue, b.withdrawn[gone], extra["issued_on"]]
    status = np.r_[
        np.full(b.nc, "active"),
        np.full(len(gone), "withdrawn"),
        np.full(len(extra["issued_on"]), "active"),
    ]
    b.status_body = np.r_[b.cert_body, b.cert_body[gone], b.extra_body]
    hour = np.timedelta64(3_600_000_000, "us")
    b.status_rows = (cert, on, status)
    return _table(
        "status_changes",
        {
            "cert_no": cert,
            "status": status,
            "effective_on": on,
            "recorded_at": on.astype("datetime64[us]") + 3 * hour,
        },
    )


def _parties(b: Any) -> dict[str, pa.Table]:
    city = np.array([c[1] for c in CITIES])
    province = np.array([c[0] for c in CITIES])
    scopes_body = np.repeat(np.arange(b.nb), 4 * 12)
    scheme = np.tile(np.repeat(np.array(SCHEMES), 12), b.nb)
    sector = b.sectors[scopes_body, np.tile(np.arange(12), 4 * b.nb)]
    out = {
        "bodies": _table(
            "bodies",
            {
                "body_id": b.body_ids,
                "name": b.body_ids,
                "province": province[b.body_city],
                "city": city[b.body_city],
            },
        ),
        "body_scopes": _table(
            "body_scopes",
            {
                "body_id": b.body_ids.take(pa.array(scopes_body)),
                "scheme": scheme,
                "sector": _ids("", sector, 2),
                "granted_on": np.full(len(sector), np.datetime64("2010-01-01")),
                "revoked_on": np.full(len(sector), np.datetime64("NaT"), "datetime64[D]"),
            },
        ),
        "organisations": _table(
            "organisations",
            {
                "org_id": b.org_ids,
                "name": b.org_ids,
                "province": province[b.org_city],
                "city": city[b.org_city],
                "size": np.array(SIZES)[b.org_size],
                "deregistered_on": b.dereg,
            },
        ),
    }
    out.update(b.people())
    return out


def _audits(b: Any) -> dict[str, pa.Table]:
    a, t, c = b.a, b.t, b.c
    kinds = np.array(["stage1", "stage2", "surveillance", "recertification", "special"])
    methods = np.array(["FS01", "FS02", "FS03"])
    n = len(a["cert"])
    ids = np.arange(n, dtype=np.int64)
    audits = _table(
        "audits",
        {
            "audit_id": ids,
            "body_id": b.body_ids.take(pa.array(a["body"])),
            "cert_no": b.cert_ids_of(a["cert"]),
            "org_id": b.org_ids.take(pa.array(b.cert_org[a["cert"]])),
            "kind": kinds[a["kind"]],
            "method": methods[a["method"]],
            "start_on": a["start"],
            "end_on": a["end"],
            "planned_days": a["md5"],
            "actual_days": a["actual"],
            "onsite_days": a["onsite"],
            "md5_days": a["md5"],
            "site_lat": a["lat"],
            "site_lon": a["lon"],
            "findings_major": a["major"],
            "findings_minor": a["minor"],
        },
    )
    team = _table(
        "audit_team",
        {
            "audit_id": t["audit"].astype(np.int64),
            "registration_id": b.reg_ids.take(pa.array(t["who"])),
            "role": np.where(t["lead"], "lead", "auditor"),
        },
    )
    checkins = _table(
        "checkins",
        {
            "audit_id": c["audit"].astype(np.int64),
            "registration_id": b.reg_ids.take(pa.array(c["who"])),
            "kind": np.where(c["kind"] == 0, "in", "out"),
            "at": c["at"],
            "lat": c["lat"],
            "lon": c["lon"],
        },
    )
    return {"audits": audits, "audit_team": team, "checkins": checkins}


def _reports(b: Any) -> pa.Table:
    rng, a = b.rng, b.a
    hour = np.timedelta64(3_600_000_000, "us")
    _, on, _ = b.status_rows
    n_audit = len(a["cert"])
    audit_at = a["end"].astype("datetime64[us]") + 10 * hour
    status_at = on.astype("datetime64[us]") + 2 * hour
    occurred = np.r_[audit_at, status_at]
    record = pa.concat_arrays(
        [_ids("AR", np.arange(n_audit), 9), _ids("SC", np.arange(len(on)), 9)]
    )
    body = np.r_[a["body"], b.status_body]
    kind = np.r_[np.full(n_audit, "audit-result"), np.full(len(on), "status-change")]
    delay = rng.integers(10, 48 * 60, len(occurred)) * np.timedelta64(60_000_000, "us")
    late_bodies = np.argsort(b.weight)[::-1][2 * b.m : 3 * b.m]
    late = np.isin(body, late_bodies) & (kind == "audit-result") & (rng.random(len(body)) < 0.3)
    delay[late] += 240 * hour
    b.planted["report-late"] = set(record.filter(pa.array(late)).to_pylist())
    edited = rng.choice(np.flatnonzero(kind == "audit-result"), size=b.k, replace=False)
    same_day = rng.choice(np.flatnonzero(kind == "audit-result"), size=b.k, replace=False)
    b.planted["report-edited"] = set(record.take(pa.array(edited)).to_pylist())
    rows = np.r_[np.arange(len(body)), edited, same_day]
    revision = np.r_[np.ones(len(body), int), np.full(2 * b.k, 2)]
    received = np.r_[occurred + delay, occurred[edited] + 120 * hour, occurred[same_day] + 3 * hour]
    bodies = b.body_ids.take(pa.array(body[rows]))
    # Status changes are reported by the certificate's body.
    return _table(
        "reports",
        {
            "body_id": bodies,
            "record_id": record.take(pa.array(rows)),
            "kind": kind[rows],
            "occurred_at": occurred[rows],
            "received_at": received,
            "revision": revision,
        },
    )


def _queries(b: Any) -> pa.Table:
    rng = b.rng
    n = max(100, round(1_000_000 * b.scale))
    known = b.cert_ids_of(rng.integers(b.nc, size=n))
    typos = _ids("QX", rng.integers(10**8, size=n // 100), 9)
    fakes = _ids("QF", np.arange(b.k), 9)
    b.planted["query-unreported"] = set(fakes.to_pylist())
    numbers = pa.concat_arrays([known, typos, fakes, fakes, fakes])
    start = np.datetime64(b.as_of - 365 * DAY, "us")
    at = start + rng.integers(0, 365 * 24 * 3600, len(numbers)) * np.timedelta64(1_000_000, "us")
    return _table("public_queries", {"cert_no": numbers, "queried_at": at})
