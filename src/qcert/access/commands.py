"""Who may run which command: a rule per command of the bus, and the checks they are made of.

ISO/IEC 17021-1:2015 separates the functions of a certification body (application review,
audit planning, auditing, technical review, decision: 9.1-9.5), and 8.4 keeps what an
organisation gives one body with that body; the rules follow those separations. People act
only as themselves, and nobody grants or removes their own roles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import jurisdictions
from ..credentials.commands import IssueCredential, PublishStatus
from ..credentials.dataintegrity import ProofError, public_key_from_multibase
from ..evidence import commands as evidence
from ..evidence import monitor_commands as monitors
from ..exchange.submission import document, verify
from ..lifecycle import commands as c
from ..lifecycle.accounts import CLIENT_ROLES, parse_role
from ..locale.names import field_label, value_word
from ..notices import commands as notices
from ..supervision import commands as hub
from .principals import Forbidden, Principal, Unauthenticated
from .refusals import either, refusal

__all__ = ["COMMANDS", "Resource", "Rule", "authorize", "may"]


@dataclass(frozen=True)
class Resource:
    """What a command touches, as the store knows it before the command runs.

    ``bodies``: the bodies whose record it is (each must allow); ``client``: the organisation
    whose record it is; ``holder``: for a document given for a certification, the body
    holding that certification (when it is the organisation's); ``account_roles``: the
    target account's current roles; ``consent``: whether the organisation consented to this
    body filing applications for it.
    """

    bodies: frozenset[str] = frozenset()
    client: str | None = None
    holder: str | None = None
    account_roles: frozenset[tuple[str, str]] | None = None
    consent: bool = False
    handler: str | None = None  # for a complaint or appeal, the account handling it
    # The division (GB/T 2260) the record lies in, for regulators; and, for a body enrolled at
    # the hub, the keys it signs its submissions with (key id -> publicKeyMultibase).
    region: str | None = None
    keys: Mapping[str, str] | None = None
    referred: frozenset[str] = frozenset()  # the regions a hub warning was referred to
    recipient: str | None = None  # the account a notice was sent to


Check = Callable[[Principal, Any, Resource], tuple[str, str] | None]


@dataclass(frozen=True)
class Rule:
    """Who may run a command: ``needs`` says it for people, ``check`` decides (None: allowed,
    else the refusal in en and zh-CN). ``as_self`` names the field that must be the caller."""

    needs: str
    check: Check
    as_self: str | None = None
    anonymous: bool = False  # whether someone not signed in may pass ``check``


def _platform(p: Principal, _: Any, __: Resource) -> tuple[str, str] | None:
    if p.platform:
        return None
    return refusal("command.platform")


def _body_role(role: str) -> Check:
    def check(p: Principal, _: Any, r: Resource) -> tuple[str, str] | None:
        if r.bodies and all(p.has(role, f"body:{b}") for b in r.bodies):
            return None
        return refusal("command.body-role", role=role, role_zh=value_word(role))

    return check


def _client_role(*roles: str) -> Check:
    def check(p: Principal, _: Any, r: Resource) -> tuple[str, str] | None:
        if r.client and any(p.has(role, f"client:{r.client}") for role in roles):
            return None
        names, names_zh = either(roles, map(value_word, roles))
        return refusal("command.client-role", roles=names, roles_zh=names_zh)

    return check


def _self(p: Principal, cmd: Any, _: Resource) -> tuple[str, str] | None:
    if cmd.account_id == p.account_id:
        return None
    return refusal("command.self")


def _manages(p: Principal, role: str, scope: str) -> bool:
    """Whether ``p`` may grant or take away ``role`` at ``scope``: platform roles and the first
    administrator of a body or an organisation by the platform; a body's roles by its cb-admin;
    an organisation's by its client-admin (client-user is granted only by invitation)."""
    if scope == "platform":
        return p.platform
    kind = scope.partition(":")[0]
    if kind == "body":
        return p.has("cb-admin", scope) or (role == "cb-admin" and p.platform)
    if kind == "client":
        return p.has("client-admin", scope) or (role == "client-admin" and p.platform)
    return False


def _role_change(p: Principal, cmd: Any, r: Resource) -> tuple[str, str] | None:
    if cmd.account_id == p.account_id and not p.is_system:
        return refusal("command.own-roles")
    before = r.account_roles or frozenset()
    after = frozenset(parse_role(text) for text in cmd.roles)
    if ("platform-admin", "platform") in before and not p.platform:
        return refusal("command.platform-admin-changed")
    for role, scope in sorted(after - before):
        if role == "client-user" and not p.is_system:
            return refusal("command.invited-only", role=role, role_zh=value_word(role), scope=scope)
        if not _manages(p, role, scope):
            return refusal("command.grant", role=role, role_zh=value_word(role), scope=scope)
    for role, scope in sorted(before - after):
        if not _manages(p, role, scope):
            return refusal("command.remove", role=role, role_zh=value_word(role), scope=scope)
    return None


def _account_manager(p: Principal, cmd: Any, r: Resource) -> tuple[str, str] | None:
    """The account's own holder, or someone who manages every role it holds."""
    if cmd.account_id == p.account_id:
        return None
    held = r.account_roles or frozenset()
    if ("platform-admin", "platform") in held and not p.platform:
        return refusal("command.platform-admin-acted-on")
    if held and all(_manages(p, role, scope) or p.platform for role, scope in held):
        return None
    return refusal("command.manages-every-role")


def _apply(p: Principal, cmd: Any, r: Resource) -> tuple[str, str] | None:
    # The organisation applies, or the body's reviewer files for it on its recorded consent.
    if r.client and (
        p.has("client-user", f"client:{r.client}") or p.has("client-admin", f"client:{r.client}")
    ):
        return None
    if r.consent and all(p.has("application-reviewer", f"body:{b}") for b in r.bodies):
        return None
    return refusal("command.apply")


def _upload(p: Principal, cmd: Any, r: Resource) -> tuple[str, str] | None:
    if r.client and any(p.has(role, f"client:{r.client}") for role in CLIENT_ROLES):
        return None
    # A body's staff give a document to one of their own certifications of the client: one
    # they could not read afterwards is not theirs to give (ISO/IEC 17021-1:2015 8.4).
    if r.holder is not None and r.holder in p.scopes("body"):
        return None
    return refusal("command.upload")


def _invitation(p: Principal, cmd: Any, r: Resource) -> tuple[str, str] | None:
    if cmd.role == "client-admin" and p.platform:
        return None
    return _client_role("client-admin")(p, cmd, r)


def _recipient(p: Principal, cmd: Any, r: Resource) -> tuple[str, str] | None:
    # Someone else's notice is refused as if it did not exist: whose notices exist is not
    # theirs to learn.
    if r.recipient is not None and r.recipient == p.account_id == cmd.account_id:
        return None
    return refusal("command.recipient", notice=cmd.notice_id)


def _anyone(_: Principal, __: Any, ___: Resource) -> tuple[str, str] | None:
    return None


def _regulator_of(p: Principal, region: str | None) -> bool:
    return any(jurisdictions.contains(j, region) for j in p.scopes("region", "regulator"))


def _enrolment(p: Principal, _: Any, r: Resource) -> tuple[str, str] | None:
    if p.platform or (r.region and _regulator_of(p, r.region)):
        return None
    if not r.region:
        return refusal("command.enrolment.no-region")
    return refusal("command.enrolment", region=r.region)


def _signed_or_reporter(p: Principal, cmd: Any, r: Resource) -> tuple[str, str] | None:
    """A submission signed by one of the enrolled body's keys, or uploaded by its reporter."""
    env = cmd.envelope
    if r.keys is None:
        return refusal("command.not-enrolled", body=env.body_id)
    if p.has("reporter", f"body:{env.body_id}"):
        return None
    key = r.keys.get(env.signature.key_id) if env.signature else None
    try:
        good = key is not None and verify(document(env), public_key_from_multibase(key))
    except ProofError:
        good = False
    if good:
        return None
    return refusal("command.signature")


def _campaign(p: Principal, _: Any, r: Resource) -> tuple[str, str] | None:
    """A campaign is its jurisdiction's regulators' (one whose jurisdiction holds it)."""
    if r.region and _regulator_of(p, r.region):
        return None
    if not r.region:
        return refusal("command.campaign.no-region")
    return refusal("command.campaign", region=r.region)


def _warning(p: Principal, _: Any, r: Resource) -> tuple[str, str] | None:
    """A warning is handled where its entity lies, or where it was referred to."""
    if any(_regulator_of(p, region) for region in {r.region, *r.referred} if region):
        return None
    return refusal("command.warning")


def _nation(p: Principal, _: Any, __: Resource) -> tuple[str, str] | None:
    """National registers are the national regulator's (or the platform's) to take in."""
    if p.platform or p.has("regulator", f"region:{jurisdictions.NATION}"):
        return None
    return refusal("command.nation")


def _platform_itself(p: Principal, _: Any, __: Resource) -> tuple[str, str] | None:
    return refusal("command.platform-itself")


def _case_worker(p: Principal, _: Any, r: Resource) -> tuple[str, str] | None:
    """The body's cb-admin, or the case's handler while holding a role at the body: the
    steps of ISO/IEC 17021-1:2015 9.7.6-9.7.7, 9.8.6-9.8.7 are the handler's work."""
    if r.bodies and all(p.has("cb-admin", f"body:{b}") for b in r.bodies):
        return None
    staff = r.bodies and all(b in p.scopes("body") for b in r.bodies)
    if staff and r.handler and r.handler == p.account_id:
        return None
    return refusal("command.case-worker")


def _case_decider(p: Principal, cmd: Any, r: Resource) -> tuple[str, str] | None:
    """The body's cb-admin decides, as themselves: a decider named in the command must be
    the caller (ISO/IEC 17021-1:2015 9.7.8, 9.8.8 are checked against who decides)."""
    if cmd.decider and cmd.decider != p.account_id:
        return refusal("command.decider", account=p.account_id)
    return _body_role("cb-admin")(p, cmd, r)


def _body(role: str) -> Rule:
    return Rule(f"{role} of the body", _body_role(role))


def _client(*roles: str) -> Rule:
    return Rule(" or ".join(roles) + " of the organisation", _client_role(*roles))


PLATFORM = Rule("platform-admin", _platform)
COMMANDS: dict[type, Rule] = {
    c.RegisterBody: PLATFORM,
    c.GrantBodyScope: PLATFORM,
    c.RegisterAuditor: _body("cb-admin"),
    c.QualifyAuditor: _body("cb-admin"),
    c.RegisterClient: Rule(
        "cb-admin of a body, or platform-admin",
        lambda p, cmd, r: (
            None if p.platform or p.scopes("body", "cb-admin") else refusal("command.cb-admin")
        ),
    ),
    c.GiveConsent: _client("client-admin", "client-user"),
    c.WithdrawConsent: _client("client-admin", "client-user"),
    c.InviteUser: Rule(
        "client-admin of the organisation (platform-admin for its first client-admin)", _invitation
    ),
    c.JoinWithInvitation: Rule("anyone holding the invitation's code", _anyone),
    c.AcceptInvitation: Rule("the signed-in account holding the invitation's code", _self),
    c.ApplyForCertification: Rule(
        "client-user or client-admin of the organisation, or application-reviewer of the body "
        "on the organisation's consent",
        _apply,
    ),
    c.UploadDocument: Rule(
        "a user of the organisation, or staff of the body holding the certification",
        _upload,
        as_self="uploaded_by",
    ),
    c.RecordLineAlarm: _client("client-admin", "client-user"),
    c.ClearLineAlarm: _client("client-admin", "client-user"),
    c.ReviewContract: Rule(
        "application-reviewer of the body",
        _body_role("application-reviewer"),
        "reviewer",
    ),
    c.PlanAudit: _body("planner"),
    c.CheckIn: Rule("auditor of the body", _body_role("auditor"), "auditor"),
    c.CompleteAudit: _body("auditor"),
    # The planner arranges the scheme's tests (type test, surveillance sampling) and files the
    # laboratory's report.
    c.RecordTest: _body("planner"),
    c.RaiseFinding: Rule("auditor of the body", _body_role("auditor"), "auditor"),
    c.AnswerFinding: _client("client-admin", "client-user"),
    c.CloseFinding: Rule("auditor of the body", _body_role("auditor"), "verifier"),
    c.TechnicalReview: Rule(
        "technical-reviewer of the body",
        _body_role("technical-reviewer"),
        "reviewer",
    ),
    c.Decide: Rule(
        "decision-maker of the body",
        _body_role("decision-maker"),
        "decider",
    ),
    c.SuspendCertificate: _body("decision-maker"),
    c.ApproveLateRecord: _body("decision-maker"),
    c.RestoreCertificate: _body("decision-maker"),
    c.WithdrawCertificate: _body("decision-maker"),
    c.ExpireCertificate: _body("decision-maker"),
    c.ChangeScope: _body("decision-maker"),
    c.TransferCertificate: _body("decision-maker"),
    c.AcceptTransfer: Rule(
        "decision-maker of the accepting body",
        _body_role("decision-maker"),
        "decider",
    ),
    c.EnforceClocks: _body("decision-maker"),
    c.OpenCase: _body("cb-admin"),
    c.AcknowledgeCase: Rule("cb-admin of the body, or the case's handler", _case_worker),
    c.RecordCaseProgress: Rule("cb-admin of the body, or the case's handler", _case_worker),
    c.ResolveCase: Rule("cb-admin of the body, deciding as themselves", _case_decider),
    c.OpenAccount: Rule("an administrator of every role granted", _role_change),
    c.SetRoles: Rule("an administrator of every role added or removed", _role_change),
    c.ChangePassword: Rule("the account's holder (with the current password)", _self),
    c.IssueApiKey: Rule("the account's holder", _self),
    c.RevokeApiKey: Rule(
        "the account's holder, or an administrator of its roles", _account_manager
    ),
    c.RevokeSessions: Rule(
        "the account's holder, or an administrator of its roles", _account_manager
    ),
    c.AddBodyKey: _body("cb-admin"),
    c.RevokeBodyKey: _body("cb-admin"),
    IssueCredential: _body("decision-maker"),
    PublishStatus: _body("decision-maker"),
    hub.EnrolBody: Rule(
        "a regulator whose jurisdiction holds the body, or platform-admin", _enrolment
    ),
    hub.RegisterReportingKey: Rule(
        "a regulator whose jurisdiction holds the body, or platform-admin", _enrolment
    ),
    hub.SubmitReport: Rule(
        "anyone holding a key the body registered at the hub (signed), or its reporter",
        _signed_or_reporter,
        anonymous=True,
    ),
    hub.FlagLog: Rule("the platform itself (its witness)", _platform_itself),
    hub.CommitDraw: Rule("a regulator of the campaign's jurisdiction", _campaign),
    hub.RevealDraw: Rule("a regulator of the campaign's jurisdiction", _campaign),
    hub.RecordInspectionResult: Rule("a regulator of the campaign's jurisdiction", _campaign),
    hub.ImportRegistry: Rule("the national regulator, or platform-admin", _nation),
    hub.RecordScan: Rule("the platform itself (its risk scan)", _platform_itself),
    hub.RaiseWarnings: Rule("the platform itself (its risk scan)", _platform_itself),
    hub.ChangeWarning: Rule(
        "a regulator of the warning's region or of one it was referred to", _warning
    ),
    hub.RankWarning: Rule(
        "a regulator of the warning's region or of one it was referred to", _warning
    ),
    hub.ReferWarning: Rule(
        "a regulator of the warning's region or of one it was referred to", _warning
    ),
    # An organisation's data sources are its own (8.4 of ISO/IEC 17021-1: what it gives a
    # body stays its own); its administrator rotates keys and retires them.
    evidence.RegisterDevice: _client("client-admin", "client-user"),
    evidence.RotateDeviceKey: _client("client-admin"),
    evidence.RetireDevice: _client("client-admin"),
    evidence.AnchorWindows: Rule("the platform itself (its anchoring)", _platform_itself),
    # A line's monitor is the organisation's own quality control; a body that set it up
    # would be consulting on the process it certifies (ISO/IEC 17021-1:2015 5.2.5). Its
    # alarms are recorded by the platform's watcher alone.
    monitors.FitMonitor: _client("client-admin", "client-user"),
    monitors.RaiseStreamAlarm: Rule("the platform itself (its watcher)", _platform_itself),
    monitors.ClearStreamAlarm: Rule("the platform itself (its watcher)", _platform_itself),
    # Notices are sent and mailed by the platform's notices job; each account reads its own
    # and says where its own are mailed.
    notices.SendNotices: Rule("the platform itself (its notices job)", _platform_itself),
    notices.RecordNoticeMailed: Rule("the platform itself (its notices job)", _platform_itself),
    notices.MarkNoticeRead: Rule("the notice's recipient", _recipient, as_self="account_id"),
    notices.SetNoticeAddress: Rule("the account's holder", _self),
}


def authorize(principal: Principal, command: Any, resource: Resource) -> None:
    """Refuse ``command`` unless ``principal`` may run it on ``resource``: Unauthenticated
    (401) for nobody, Forbidden (403, with the rule and why) for the wrong person."""
    rule = COMMANDS.get(type(command))
    if rule is None:  # a command nobody wrote a rule for is nobody's to run
        # People read that the operation is not in the policy; the command's class name, a
        # technical detail for whoever maintains the policy, is added to the English only.
        en, zh = refusal("command.unlisted")
        raise Forbidden("access.unlisted", f"{en} (command {type(command).__name__})", zh)
    if principal.is_system:
        return
    if not principal.signed_in and rule.check is not _anyone and not rule.anonymous:
        raise Unauthenticated()
    if rule.as_self and getattr(command, rule.as_self) != principal.account_id:
        said = refusal(
            "command.as-self",
            field=rule.as_self,
            field_zh=field_label(rule.as_self),
            account=principal.account_id,
        )
        raise Forbidden("access.as-self", *said)
    refused = rule.check(principal, command, resource)
    if refused is not None:
        raise Forbidden("access.role", *refused)


def may(principal: Principal, command_type: type, resource: Resource) -> bool:
    """Whether ``principal``'s roles allow ``command_type`` on ``resource`` at all (what a
    page asks before offering a form; the bus still decides on the command itself)."""
    rule = COMMANDS[command_type]
    if principal.is_system:
        return True
    probe = _Probe(principal.account_id)
    return principal.signed_in and rule.check(principal, probe, resource) is None


class _Probe:
    """A stand-in command for :func:`may`: every field names the principal."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    def __getattr__(self, name: str) -> Any:
        return self.account_id if name != "roles" else ()
