"""A qcert body's lifecycle events as records of the reporting standard.

Each event a regulator supervises becomes one record, its id the event's ledger index (``L<n>``),
so resending is idempotent and every record names the entry it was drawn from. Pure: what an
event does not carry (an organisation's credit code and region, an auditor's registration number,
a certificate's number) comes from a :class:`Context` the store provides.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..lifecycle import events as ev

__all__ = ["Context", "record_of", "size_class"]

# Events a record is drawn from (the others are not reported: finding answers, keys, accounts).
_STATUS = {
    ev.CertificateSuspended: "suspended",
    ev.CertificateRestored: "active",
    ev.CertificateWithdrawn: "withdrawn",
    ev.CertificateExpired: "expired",
    ev.CertificateScopeChanged: "active",
    ev.CertificateTransferred: "withdrawn",
}
_ROLES = {"lead": "leader", "leader": "leader", "expert": "expert", "observer": "observer"}


class Context(Protocol):
    """What the store knows beside the events (each returns None when it does not know)."""

    def client(self, client_id: str) -> dict[str, Any] | None:
        """``uscc``, ``name_zh``, ``personnel`` and ``sites`` (each with id, name, adcode,
        lat, lon, central)."""
        ...

    def auditor(self, auditor_id: str) -> dict[str, Any] | None:
        """``registration_no`` and ``name_zh``."""
        ...

    def certification(self, certification_id: str) -> dict[str, Any] | None:
        """``client_id``, ``scheme_id``, ``sectors`` and ``number`` (its certificate's, or
        None)."""
        ...

    def findings(self, certification_id: str, audit_id: str) -> list[dict[str, Any]]:
        """The findings raised at an audit: ``grade`` and ``clause``."""
        ...


def size_class(personnel: int) -> str:
    """An organisation's size from its headcount, by the industrial thresholds of
    工信部联企业〔2011〕300号 (micro < 20, small < 300, medium < 1,000 people)."""
    if personnel < 20:
        return "micro"
    if personnel < 300:
        return "small"
    return "medium" if personnel < 1000 else "large"


def _minimum(kind: str, initial: float | None) -> float | None:
    """An audit's minimum days where the contract review's initial time fixes it: a
    surveillance audit a third of it, a recertification two thirds (IAF MD 5:2019 6.2, 6.3),
    rounded up to half days. The stages of the initial audit share it, so neither alone has
    one."""
    if not initial:
        return None
    share = {"surveillance": 1 / 3, "recertification": 2 / 3}.get(kind)
    return None if share is None else -(-initial * share * 2 // 1) / 2


def _region(client: dict[str, Any]) -> str:
    sites = list(client.get("sites") or [])
    central = next((s for s in sites if s.get("central")), sites[0] if sites else {})
    return str(central.get("adcode") or client.get("adcode") or "")


def _site(client: dict[str, Any] | None, site_id: str) -> dict[str, Any]:
    found = next((s for s in (client or {}).get("sites") or [] if s.get("id") == site_id), {})
    out: dict[str, Any] = {"name": str(found.get("name") or site_id)}
    for key, to in (("adcode", "region"), ("lat", "lat"), ("lon", "lon")):
        if found.get(key) is not None:
            out[to] = found[key]
    return out


def record_of(index: int, envelope: ev.Envelope, context: Context) -> dict[str, Any] | None:
    """The standard's record of the event at ledger ``index``, or None when it reports nothing
    (or what it needs is unknown)."""
    e = envelope.event
    cid = envelope.aggregate.split(":", 1)[1]
    base = {"id": f"L{index}", "occurred_at": envelope.at}
    if isinstance(e, ev.ApplicationSubmitted | ev.TransferAccepted):
        client = context.client(e.client_id)
        if client is None:
            return None
        organisation = {
            "uscc": client["uscc"],
            "name": client["name_zh"],
            "region": _region(client),
            "size": size_class(int(client.get("personnel") or 0)),
        }
        received = getattr(e, "on", "") or envelope.at[:10]
        return {
            **base,
            "kind": "application",
            "certification_id": e.certification_id,
            "organisation": organisation,
            "scheme_id": e.scheme_id,
            "sectors": list(e.sectors),
            "received_on": received,
        }
    certification = context.certification(cid)
    if certification is None:
        return None
    if isinstance(e, ev.AuditPlanned):
        client = context.client(certification["client_id"])
        team = []
        for member in e.team:
            auditor = context.auditor(member["auditor"]) or {}
            team.append(
                {
                    "registration_no": auditor.get("registration_no") or member["auditor"],
                    "name": auditor.get("name_zh") or member["auditor"],
                    "role": _ROLES.get(member.get("role", ""), "auditor"),
                }
            )
        plan = {
            **base,
            "kind": "audit-plan",
            "certification_id": cid,
            "audit_id": e.audit_id,
            "audit_kind": e.kind,
            "method": e.method,
            "start_on": e.start,
            "end_on": e.end,
            "planned_days": e.planned_days,
            "team": team,
            "sites": [_site(client, s) for s in e.sites],
        }
        minimum = _minimum(e.kind, certification.get("initial_days"))
        return {**plan, "minimum_days": minimum} if minimum else plan
    if isinstance(e, ev.AuditorCheckedIn | ev.AuditorCheckedOut):
        auditor = context.auditor(e.auditor) or {}
        return {
            **base,
            "kind": "check-in",
            "certification_id": cid,
            "audit_id": e.audit_id,
            "registration_no": auditor.get("registration_no") or e.auditor,
            "direction": "in" if isinstance(e, ev.AuditorCheckedIn) else "out",
            "at": envelope.at,
            "lat": e.lat,
            "lon": e.lon,
            # The photo taken at the check-in, by the hashes that bind the stored file.
            **({"photo_sha256": e.photo_sha256} if e.photo_sha256 else {}),
            **({"photo_sm3": e.photo_sm3} if e.photo_sm3 else {}),
        }
    if isinstance(e, ev.AuditCompleted):
        onsite = e.on_site_days if e.on_site_days is not None else e.actual_days
        return {
            **base,
            "kind": "audit-result",
            "certification_id": cid,
            "audit_id": e.audit_id,
            "end_on": e.last_day,
            "actual_days": e.actual_days,
            "onsite_days": min(onsite, e.actual_days),
            "findings": [
                {"grade": f["grade"], "clause": str(f.get("clause") or "")[:64]}
                for f in context.findings(cid, e.audit_id)
            ],
        }
    if isinstance(e, ev.CertificationDecided):
        decider = context.auditor(e.decider) or {}
        out = {
            **base,
            "kind": "decision",
            "certification_id": cid,
            "outcome": e.outcome if e.outcome in ("grant", "refuse", "recertify") else "grant",
            "decided_on": e.on,
        }
        if decider.get("registration_no"):
            out["decided_by"] = decider["registration_no"]
        return out
    client = context.client(certification["client_id"])
    if isinstance(e, ev.CertificateIssued) and client is not None:
        return {
            **base,
            "kind": "certificate",
            "certification_id": cid,
            "certificate_no": e.number,
            "uscc": client["uscc"],
            "scheme_id": certification["scheme_id"],
            "sectors": list(certification["sectors"]),
            "scope": e.scope[:2000],
            "issued_on": e.issue_date,
            "expires_on": e.expiry_date,
        }
    if type(e) in _STATUS and certification.get("number"):
        return {
            **base,
            "kind": "status-change",
            "certificate_no": certification["number"],
            "status": _STATUS[type(e)],
            "effective_on": e.on,
            "reason": str(getattr(e, "reason", "") or getattr(e, "change", ""))[:500],
        }
    return None
