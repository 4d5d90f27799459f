"""Who is calling, and what they may see and do: the one place tenancy is decided."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..credentials.commands import IssueCredential, PublishStatus
from ..errors import QcertError
from ..lifecycle import commands as c
from ..lifecycle.accounts import parse_role
from ..store import tables as t

__all__ = ["Forbidden", "Principal", "authorize", "visible"]


class Forbidden(QcertError):
    status = 403


@dataclass(frozen=True)
class Principal:
    """An authenticated account and its roles, as ``(role, scope)`` pairs."""

    account_id: str
    roles: frozenset[tuple[str, str]]

    @classmethod
    def load(cls, conn: Connection, account_id: str) -> Principal | None:
        row = conn.execute(
            sa.select(t.accounts.c.roles).where(t.accounts.c.id == account_id)
        ).first()
        if row is None:
            return None
        return cls(account_id, frozenset(parse_role(r) for r in json.loads(row[0])))

    @property
    def platform(self) -> bool:
        return ("platform-admin", "platform") in self.roles

    def scopes(self, prefix: str, role: str | None = None) -> set[str]:
        return {
            s.split(":", 1)[1]
            for r, s in self.roles
            if s.startswith(prefix + ":") and (role is None or r == role)
        }

    def may(self, role: str, scope: str) -> bool:
        return self.platform or (role, scope) in self.roles


def visible(principal: Principal, table: sa.Table) -> sa.ColumnElement[bool]:
    """The rows of ``table`` the principal may read: its bodies' and its organisations' only."""
    if principal.platform:
        return sa.true()
    bodies, clients = principal.scopes("body"), principal.scopes("client")
    conds: list[sa.ColumnElement[bool]] = []
    certs = t.certifications
    if table is t.bodies:
        if bodies:
            conds.append(table.c.id.in_(bodies))
    elif table is t.clients:
        if clients:
            conds.append(table.c.id.in_(clients))
        if bodies:
            conds.append(
                table.c.id.in_(sa.select(certs.c.client_id).where(certs.c.body_id.in_(bodies)))
            )
    else:
        if bodies and "body_id" in table.c:
            conds.append(table.c.body_id.in_(bodies))
        elif bodies and "certification_id" in table.c:
            # Rows that belong to a certification (an organisation's documents, a
            # certificate's history): the body holding that certification reads them.
            conds.append(
                table.c.certification_id.in_(
                    sa.select(certs.c.id).where(certs.c.body_id.in_(bodies))
                )
            )
        if clients and "client_id" in table.c:
            conds.append(table.c.client_id.in_(clients))
        elif clients and "certification_id" in table.c:
            conds.append(
                table.c.certification_id.in_(
                    sa.select(certs.c.id).where(certs.c.client_id.in_(clients))
                )
            )
    return sa.or_(*conds) if conds else sa.false()


# Which role a command needs (ISO/IEC 17021-1 separates these functions), and which
# field must name the caller, because people act as themselves.
NEEDS: dict[type, str] = {
    c.RegisterBody: "platform-admin",
    c.GrantBodyScope: "platform-admin",
    c.RegisterAuditor: "cb-admin",
    c.QualifyAuditor: "cb-admin",
    c.RegisterClient: "cb-admin",
    c.ApplyForCertification: "client-user",
    c.UploadDocument: "client-user",
    c.RecordLineAlarm: "client-user",
    c.ClearLineAlarm: "client-user",
    c.ReviewContract: "application-reviewer",
    c.PlanAudit: "planner",
    c.CheckIn: "auditor",
    c.CompleteAudit: "auditor",
    c.RaiseFinding: "auditor",
    c.AnswerFinding: "client-user",
    c.CloseFinding: "auditor",
    c.TechnicalReview: "technical-reviewer",
    c.Decide: "decision-maker",
    c.SuspendCertificate: "decision-maker",
    c.RestoreCertificate: "decision-maker",
    c.WithdrawCertificate: "decision-maker",
    c.ExpireCertificate: "decision-maker",
    c.ChangeScope: "decision-maker",
    c.TransferCertificate: "decision-maker",
    c.EnforceClocks: "decision-maker",
    c.OpenCase: "cb-admin",
    c.ResolveCase: "cb-admin",
    c.OpenAccount: "cb-admin",
    c.SetRoles: "cb-admin",
    c.ChangePassword: "self",
    c.IssueApiKey: "self",
    c.RevokeApiKey: "self",
    c.AcceptTransfer: "decision-maker",
    c.AddBodyKey: "cb-admin",
    c.RevokeBodyKey: "cb-admin",
    IssueCredential: "decision-maker",
    PublishStatus: "decision-maker",
}
SELF_FIELDS: dict[type, str] = {
    c.ReviewContract: "reviewer",
    c.CheckIn: "auditor",
    c.RaiseFinding: "auditor",
    c.CloseFinding: "verifier",
    c.TechnicalReview: "reviewer",
    c.Decide: "decider",
    c.AcceptTransfer: "decider",
    c.UploadDocument: "uploaded_by",
}


def _certification_scopes(conn: Connection, cid: str) -> tuple[str, str] | None:
    row = conn.execute(
        sa.select(t.certifications.c.body_id, t.certifications.c.client_id).where(
            t.certifications.c.id == cid
        )
    ).first()
    return (row[0], row[1]) if row else None


def _held_by(conn: Connection, client_id: str, certification_id: str) -> set[str]:
    """The body holding ``certification_id`` when it is a certification of ``client_id``."""
    certs = t.certifications
    query = sa.select(certs.c.body_id).where(
        certs.c.id == certification_id, certs.c.client_id == client_id
    )
    return set(conn.execute(query).scalars())


def authorize(conn: Connection, principal: Principal, cmd: Any) -> None:
    """Refuse (403) a command the principal's roles do not allow in the command's scope."""
    kind = type(cmd)
    need = NEEDS[kind]
    field = SELF_FIELDS.get(kind)
    if field and getattr(cmd, field) != principal.account_id and not principal.platform:
        raise Forbidden(f"{field}: you may act only as yourself ({principal.account_id})")
    if need == "self":
        if cmd.account_id != principal.account_id and not principal.platform:
            raise Forbidden("you may change only your own password and keys")
        return
    if need == "platform-admin":
        if not principal.platform:
            raise Forbidden("only a platform administrator may do this")
        return
    scopes: list[str] = []
    if kind in (c.OpenAccount, c.SetRoles):
        targets = {parse_role(r)[1] for r in cmd.roles}
        scopes = sorted(targets)
        if any(not s.startswith(("body:", "client:")) for s in targets):
            raise Forbidden("only a platform administrator may grant platform roles")
        bodies = principal.scopes("body", "cb-admin")
        if not principal.platform and any(
            s.startswith("body:") and s[5:] not in bodies for s in targets
        ):
            raise Forbidden("a body's administrator grants roles of that body only")
        if not principal.platform and not bodies:
            raise Forbidden("cb-admin role required")
        return
    if kind is c.RegisterClient:
        if not principal.platform and not principal.scopes("body", "cb-admin"):
            raise Forbidden("cb-admin role required")
        return
    if kind is c.RegisterAuditor:
        scopes = [f"body:{cmd.body_id}"]
    elif kind is c.QualifyAuditor:
        body = conn.execute(
            sa.select(t.auditors.c.body_id).where(t.auditors.c.id == cmd.auditor_id)
        ).scalar()
        scopes = [f"body:{body}"] if body else []
    elif kind is c.ApplyForCertification:
        if principal.may("client-user", f"client:{cmd.client_id}") or principal.may(
            "application-reviewer", f"body:{cmd.body_id}"
        ):
            return
        raise Forbidden("applications come from the client's users or the body's reviewers")
    elif kind is c.UploadDocument:
        if principal.may("client-user", f"client:{cmd.client_id}"):
            return
        # A body's staff give a document to one of their own certifications of the client:
        # one they could not read afterwards is not theirs to give.
        if cmd.certification_id is not None and principal.scopes("body") & _held_by(
            conn, cmd.client_id, cmd.certification_id
        ):
            return
        raise Forbidden(
            "documents come from the client's users, or from a body's staff for that body's "
            "certification of the client"
        )
    elif kind in (c.RecordLineAlarm, c.ClearLineAlarm):
        scopes = [f"client:{cmd.client_id}"]
    elif kind in (c.AddBodyKey, c.RevokeBodyKey) or kind is c.AcceptTransfer:
        scopes = [f"body:{cmd.body_id}"]
    elif kind in (c.EnforceClocks, PublishStatus):
        found = [_certification_scopes(conn, cid) for cid in cmd.certification_ids]
        scopes = sorted({f"body:{f[0]}" for f in found if f})
    elif kind is c.ResolveCase:
        body = conn.execute(
            sa.select(t.cases.c.body_id).where(t.cases.c.id == cmd.case_id)
        ).scalar()
        scopes = [f"body:{body}"] if body else []
    else:
        found = _certification_scopes(conn, cmd.certification_id)
        if found:
            scopes = [f"client:{found[1]}" if need == "client-user" else f"body:{found[0]}"]
    if not scopes or not all(principal.may(need, s) for s in scopes):
        raise Forbidden(f"role {need} is required for this record")
