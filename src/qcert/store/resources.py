"""What a command touches, read from the projections for the access policy to decide on.

The policy (:mod:`qcert.access`) is pure; this is where it learns whose record a command is
about: the body and organisation of a certification, the body of an auditor or a case, the
current roles of an account, whether an organisation consented to a body.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..access import Resource
from ..credentials.commands import PublishStatus
from ..evidence import commands as evidence
from ..evidence import monitor_commands as monitors
from ..ledger.storage import plain
from ..lifecycle import commands as c
from ..lifecycle.accounts import parse_role
from ..notices import commands as notices
from ..supervision import commands as hub
from . import tables as t

__all__ = ["account_roles", "resource_of"]


# Plain SQL (:mod:`qcert.ledger.storage.plain`): the commands on a certification ask this
# before every run.
_OF_CERTIFICATION = "SELECT body_id, client_id FROM lc_certifications WHERE id = ?"


def _certification(conn: Connection, cid: str) -> tuple[str, str] | None:
    rows = plain.run(conn, _OF_CERTIFICATION, (cid,))
    return (rows[0][0], rows[0][1]) if rows else None


def _of_certifications(conn: Connection, cids: Any) -> Resource:
    cn = t.certifications.c
    ids = list(dict.fromkeys(cids))
    rows = conn.execute(sa.select(cn.id, cn.body_id).where(cn.id.in_(ids))).all()
    # An id nobody holds names no body: the policy refuses a record it cannot place.
    bodies = {r[1] for r in rows} | ({"?"} if len(rows) < len(ids) else set())
    return Resource(bodies=frozenset(bodies))


_HUB = (hub.EnrolBody, hub.RegisterReportingKey, hub.SubmitReport, hub.FlagLog)
_DRAWS = (hub.RevealDraw, hub.RecordInspectionResult)


def _hub(conn: Connection, command: Any) -> Resource:
    """A hub command's body: its region, and its submission keys once it is enrolled."""
    if isinstance(command, hub.EnrolBody):
        return Resource(region=command.region)
    body_id = command.envelope.body_id if isinstance(command, hub.SubmitReport) else command.body_id
    b = t.hub_bodies.c
    row = conn.execute(sa.select(b.region, b.signing_keys).where(b.id == body_id)).first()
    if row is None:
        return Resource()
    return Resource(region=row.region, keys=json.loads(row.signing_keys))


def account_roles(conn: Connection, account_id: str) -> frozenset[tuple[str, str]] | None:
    """The roles an account holds now, or None when there is no such account."""
    roles = conn.execute(
        sa.select(t.accounts.c.roles).where(t.accounts.c.id == account_id)
    ).scalar()
    if roles is None:
        return None
    return frozenset(parse_role(r) for r in json.loads(roles))


def _consented(conn: Connection, client_id: str, body_id: str) -> bool:
    k = t.consents.c
    query = sa.select(k.body_id).where(k.client_id == client_id, k.body_id == body_id)
    return conn.execute(query).first() is not None


def _one(
    conn: Connection, table: sa.Table, key: str, value: str, column: str = "body_id"
) -> str | None:
    return conn.execute(sa.select(table.c[column]).where(table.c[key] == value)).scalar()


def resource_of(
    conn: Connection, command: Any, owners: dict[str, str | None] | None = None
) -> Resource:
    """The record ``command`` is about, as far as the access policy needs to know it.
    ``owners``: the organisation of each device already looked up in this transaction (a
    device's never changes), filled as it goes; a watcher's alarms of one batch are many
    commands about a few devices."""
    kind = type(command)
    if kind is evidence.RegisterDevice:
        return Resource(client=command.client_id)
    if kind in (evidence.RotateDeviceKey, evidence.RetireDevice):
        # A device nobody registered belongs to no organisation: the policy refuses it.
        return Resource(client=_one(conn, t.evidence_devices, "id", command.device_id, "client_id"))
    if kind is evidence.AnchorWindows:
        return Resource()
    if kind in (monitors.FitMonitor, monitors.RaiseStreamAlarm, monitors.ClearStreamAlarm):
        # A device nobody registered belongs to no organisation: the policy refuses it.
        if owners is not None and command.device_id in owners:
            return Resource(client=owners[command.device_id])
        owner = _one(conn, t.evidence_devices, "id", command.device_id, "client_id")
        if owners is not None and owner is not None:
            owners[command.device_id] = owner
        return Resource(client=owner)
    if kind is notices.MarkNoticeRead:
        return Resource(recipient=_one(conn, t.notices, "id", command.notice_id, "recipient"))
    if kind in _HUB:
        return _hub(conn, command)
    if kind in (hub.ImportRegistry, hub.RecordScan):
        return Resource()
    if kind is hub.CommitDraw:
        return Resource(region=command.jurisdiction)
    if kind in (hub.ChangeWarning, hub.RankWarning, hub.ReferWarning):
        w = t.hub_warnings.c
        row = conn.execute(
            sa.select(w.region, w.referred_to).where(w.id == command.warning_id)
        ).first()
        if row is None:
            return Resource(region="?")
        return Resource(
            region=row.region, referred=frozenset(filter(None, row.referred_to.split(",")))
        )
    if kind in _DRAWS:
        region = _one(conn, t.hub_draws, "id", command.draw_id, "jurisdiction")
        return Resource(region=region or "?")
    if kind in (c.SetRoles, c.RevokeApiKey, c.RevokeSessions):
        return Resource(account_roles=account_roles(conn, command.account_id) or frozenset())
    if kind is c.OpenAccount:
        return Resource(account_roles=frozenset())
    if kind is c.ApplyForCertification:
        consent = _consented(conn, command.client_id, command.body_id)
        return Resource(
            bodies=frozenset({command.body_id}), client=command.client_id, consent=consent
        )
    if kind is c.UploadDocument:
        found = command.certification_id and _certification(conn, command.certification_id)
        holder = found[0] if found and found[1] == command.client_id else None
        return Resource(client=command.client_id, holder=holder)
    if kind in (c.GiveConsent, c.WithdrawConsent):
        return Resource(bodies=frozenset({command.body_id}), client=command.client_id)
    if kind is c.QualifyAuditor:
        body = _one(conn, t.auditors, "id", command.auditor_id)
        return Resource(bodies=frozenset({body or "?"}))
    if kind is c.ResolveCase:
        body = _one(conn, t.cases, "id", command.case_id)
        return Resource(bodies=frozenset({body or "?"}))
    if kind in (c.AcknowledgeCase, c.RecordCaseProgress):
        k = t.cases.c
        row = conn.execute(sa.select(k.body_id, k.handler).where(k.id == command.case_id)).first()
        if row is None:
            return Resource(bodies=frozenset({"?"}))
        return Resource(bodies=frozenset({row.body_id}), handler=row.handler)
    if kind in (c.EnforceClocks, PublishStatus):
        return _of_certifications(conn, command.certification_ids)
    if kind in (c.AcceptTransfer, c.RegisterAuditor, c.AddBodyKey, c.RevokeBodyKey):
        return Resource(bodies=frozenset({command.body_id}))
    if kind in (c.RegisterBody, c.GrantBodyScope):
        return Resource(bodies=frozenset({command.body_id}))
    if hasattr(command, "certification_id"):
        found = _certification(conn, command.certification_id)
        if found is None:
            return Resource(bodies=frozenset({"?"}))
        return Resource(bodies=frozenset({found[0]}), client=found[1])
    if hasattr(command, "client_id"):
        return Resource(client=command.client_id)
    return Resource()
