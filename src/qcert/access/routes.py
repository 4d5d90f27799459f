"""Who may call which route of the application, and which operation of the command line.

Every route, API and pages alike, has an entry here by method and path template; a route
without one is refused to all but the platform's own process, and a test fails. What a route
then shows is further scoped by the read scope (:mod:`qcert.access.reads`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..locale.names import field_label, value_word
from .commands import COMMANDS, Resource, _platform
from .principals import Forbidden, Principal, Unauthenticated
from .refusals import either, refusal

__all__ = [
    "OPERATIONS",
    "ROUTES",
    "RouteRule",
    "check_operation",
    "check_route",
    "command_names",
    "route_rule",
]

RouteCheck = Callable[[Principal, Mapping[str, str]], tuple[str, str] | None]


@dataclass(frozen=True)
class RouteRule:
    """Who may call a route; records inside are further scoped by the read scope."""

    needs: str
    check: RouteCheck
    public: bool = False


def _public(_: Principal, __: Mapping[str, str]) -> tuple[str, str] | None:
    return None


def _any_account(p: Principal, _: Mapping[str, str]) -> tuple[str, str] | None:
    return None


def _staff_of(param: str) -> RouteCheck:
    def check(p: Principal, params: Mapping[str, str]) -> tuple[str, str] | None:
        body = params.get(param, "")
        if p.platform or body in p.scopes("body"):
            return None
        return refusal("route.staff", param=param, param_zh=field_label(param), body=body)

    return check


def _auditor_of(param: str) -> RouteCheck:
    def check(p: Principal, params: Mapping[str, str]) -> tuple[str, str] | None:
        body = params.get(param, "")
        if p.has("auditor", f"body:{body}"):
            return None
        return refusal("route.auditor", param=param, param_zh=field_label(param), body=body)

    return check


def _admin_of(param: str) -> RouteCheck:
    def check(p: Principal, params: Mapping[str, str]) -> tuple[str, str] | None:
        body = params.get(param, "")
        if p.platform or p.has("cb-admin", f"body:{body}"):
            return None
        return refusal("route.admin", param=param, param_zh=field_label(param), body=body)

    return check


def _role_of(param: str, *roles: str) -> RouteCheck:
    def check(p: Principal, params: Mapping[str, str]) -> tuple[str, str] | None:
        body = params.get(param, "")
        if p.platform or any(p.has(role, f"body:{body}") for role in roles):
            return None
        return refusal(
            "route.role",
            param=param,
            param_zh=field_label(param),
            body=body,
            roles=", ".join(roles),
            roles_zh=either(roles, map(value_word, roles))[1],
        )

    return check


PUBLIC = RouteRule("anyone", _public, public=True)
# Who reports a body's records to the regulator and to IAF CertSearch: its administrators, its
# decision makers (who answer for its certificates) and its reporters.
REPORTING = RouteRule(
    "the body's cb-admin, decision-maker or reporter",
    _role_of("body_id", "cb-admin", "decision-maker", "reporter"),
)

# The body's roles whose work is with its clients and their certifications (ISO/IEC
# 17021-1:2015 8.4: a client's information is read by the personnel whose work needs it): a
# ``reporter`` only uploads the body's reports to a hub.
CLIENT_WORK = (
    "cb-admin",
    "application-reviewer",
    "planner",
    "auditor",
    "technical-reviewer",
    "decision-maker",
)
# The roles that assign or check auditors' competence: the administrator who records it, the
# contract review that ensures it is there, the planner who picks the team, the technical
# reviewer and decision maker who check who audited (ISO/IEC 17021-1:2015 7.2.4, 9.1.2.2,
# 9.2.2.1, 9.5.1). An auditor reads only their own record.
COMPETENCE_WORK = tuple(r for r in CLIENT_WORK if r != "auditor")


def _staff_in(param: str, roles: tuple[str, ...], why: str) -> RouteCheck:
    def check(p: Principal, params: Mapping[str, str]) -> tuple[str, str] | None:
        body = params.get(param, "")
        if p.platform or any(p.has(role, f"body:{body}") for role in roles):
            return None
        return refusal(
            why,
            param=param,
            param_zh=field_label(param),
            roles=", ".join(roles),
            roles_zh="、".join(map(value_word, roles)),
        )

    return check


def _auditor_record(param: str, auditor: str) -> RouteCheck:
    managers = _staff_in(param, COMPETENCE_WORK, "route.auditors")

    def check(p: Principal, params: Mapping[str, str]) -> tuple[str, str] | None:
        body = params.get(param, "")
        if managers(p, params) is None:
            return None
        if p.has("auditor", f"body:{body}") and params.get(auditor) == p.account_id:
            return None
        roles, roles_zh = ", ".join(COMPETENCE_WORK), "、".join(map(value_word, COMPETENCE_WORK))
        return refusal(
            "route.auditor-record",
            auditor=auditor,
            auditor_zh=field_label(auditor),
            body=body,
            roles=roles,
            roles_zh=roles_zh,
        )

    return check


CLIENT_PAGES = RouteRule(
    "staff of the body whose work is with clients (not reporter); organisations it reads",
    _staff_in("body_id", CLIENT_WORK, "route.clients"),
)
AUDITOR_LIST = RouteRule(
    "the body's " + ", ".join(COMPETENCE_WORK),
    _staff_in("body_id", COMPETENCE_WORK, "route.auditors"),
)
AUDITOR_PAGE = RouteRule(
    "the body's " + ", ".join(COMPETENCE_WORK) + "; an auditor their own",
    _auditor_record("body_id", "auditor_id"),
)


def _regulator(p: Principal, _: Mapping[str, str]) -> tuple[str, str] | None:
    if p.platform or p.scopes("region", "regulator"):
        return None
    return refusal("route.regulator")


def _national(p: Principal, _: Mapping[str, str]) -> tuple[str, str] | None:
    if p.platform or p.has("regulator", "region:100000"):
        return None
    return refusal("route.national")


def _organisation_user(p: Principal, _: Mapping[str, str]) -> tuple[str, str] | None:
    if p.platform or any(p.scopes("client", role) for role in ("client-admin", "client-user")):
        return None
    return refusal("route.organisation-user")


ORGANISATION_USER = RouteRule(
    "a user of an organisation (client-admin or client-user; an API key for devices)",
    _organisation_user,
)

REGULATOR = RouteRule("a regulator (records scoped to its jurisdiction)", _regulator)
SIGNED_IN = RouteRule(
    "any signed-in account; records scoped to its bodies or organisations", _any_account
)

# Every route of the application, by method and path template. A route missing here is
# refused to everyone but the platform's own process, and a test fails.
ROUTES: dict[str, RouteRule] = {
    # the public ledger and verification (nothing of a confidential client beyond CertSearch)
    "GET /": PUBLIC,
    "GET /ledger/checkpoint": PUBLIC,
    "GET /ledger/keys": PUBLIC,
    "GET /ledger/proof/{index}": PUBLIC,
    "GET /ledger/consistency": PUBLIC,
    "GET /ledger/entries/{index}": RouteRule(
        "anyone for credentials and status lists of public certificates; an event or a "
        "confidential client's credential only for those who may read its record",
        _public,
        public=True,
    ),
    "GET /bodies/{body_id}/did.json": PUBLIC,
    # this installation as a witness: the log's signature is what it trusts (C2SP tlog-witness)
    "GET /witness": PUBLIC,
    "POST /witness/add-checkpoint": PUBLIC,
    "GET /witness/{origin_hash}/checkpoint": PUBLIC,
    "GET /bodies/{body_id}/status/{purpose}/{list_no}": PUBLIC,
    "GET /bodies/{body_id}/status/{purpose}/{list_no}/versions": PUBLIC,
    "GET /public/certificates": PUBLIC,
    "GET /public/certificates/{number}": PUBLIC,
    "GET /public/certificates/{number}/status": PUBLIC,
    "GET /public/certificates/{number}/pdf": PUBLIC,
    "POST /public/verify": PUBLIC,
    "GET /verify": PUBLIC,
    "GET /verify/style.css": PUBLIC,
    "POST /verify/upload": PUBLIC,
    "GET /v/{number}": PUBLIC,
    "GET /verify/export": PUBLIC,
    "GET /transparency": PUBLIC,
    "GET /static/ws.css": PUBLIC,
    "GET /static/plotly.min.js": PUBLIC,
    "GET /static/charts.js": PUBLIC,
    "GET /static/streams.js": PUBLIC,
    "GET /static/checkin.js": PUBLIC,
    "GET /static/ws.js": PUBLIC,
    "GET /static/favicon.svg": PUBLIC,
    "GET /favicon.ico": PUBLIC,
    "GET /static/docs/{name}": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /redoc": PUBLIC,
    "GET /openapi.json": PUBLIC,
    # signing in and out, invitations
    "POST /api/v1/auth/token": PUBLIC,
    "POST /api/v1/auth/signout": SIGNED_IN,
    "GET /signin": PUBLIC,
    "POST /signin": PUBLIC,
    "POST /signout": PUBLIC,
    "GET /join": PUBLIC,
    "POST /join": PUBLIC,
    "GET /lang/{code}": PUBLIC,
    "GET /workspace": SIGNED_IN,
    "GET /account": SIGNED_IN,
    "POST /account/password": SIGNED_IN,
    "POST /account/sessions": SIGNED_IN,
    # one's own notices (the read view and the bus keep each account to its own)
    "GET /ws/notices": SIGNED_IN,
    "POST /ws/notices/{notice_id}/read": SIGNED_IN,
    "POST /ws/notices/address": SIGNED_IN,
    "POST /account/timezone": SIGNED_IN,
    # commands: the bus decides each (see COMMANDS)
    "POST /api/v1/commands/{command}": RouteRule(
        "per command (see the command table)", _public, public=True
    ),
    "POST /api/v1/documents": SIGNED_IN,
    # the API's reads, scoped by read_scope
    "GET /api/v1/me": SIGNED_IN,
    "GET /api/v1/certifications": SIGNED_IN,
    "GET /api/v1/certifications/{certification_id}": SIGNED_IN,
    "GET /api/v1/certificates": SIGNED_IN,
    "GET /api/v1/audits": SIGNED_IN,
    "GET /api/v1/findings": SIGNED_IN,
    "GET /api/v1/clients": SIGNED_IN,
    "GET /api/v1/bodies": SIGNED_IN,
    "GET /api/v1/auditors": SIGNED_IN,
    "GET /api/v1/cases": SIGNED_IN,
    "GET /api/v1/programme": SIGNED_IN,
    "GET /api/v1/exchange/certsearch": RouteRule("staff of the body", _staff_of("body")),
    "GET /api/v1/exchange/national": RouteRule("staff of the body", _staff_of("body")),
    # the supervision hub: bodies report (the bus checks each submission's signature), the
    # standard is public, regulators read within their jurisdiction
    "GET /hub/v1/schema": PUBLIC,
    # real-time evidence: the payload is public; an organisation's users send its devices'
    # readings and read its dead letters; its readings and proofs are read by those who read
    # the organisation's records (checked per device by READ_EVIDENCE)
    "GET /evidence/v1/schema": PUBLIC,
    "POST /evidence/v1/readings": ORGANISATION_USER,
    "GET /evidence/v1/devices/{device}/readings": SIGNED_IN,
    "GET /evidence/v1/devices/{device}/readings/{seq}/proof": SIGNED_IN,
    "GET /evidence/v1/devices/{device}/monitor": SIGNED_IN,
    "GET /evidence/v1/dead-letters": ORGANISATION_USER,
    # random inspection campaigns in public (双随机、一公开)
    "GET /public/inspections": PUBLIC,
    "GET /public/inspections/{draw_id}": PUBLIC,
    "GET /public/inspections/{draw_id}/inputs": PUBLIC,
    "POST /hub/v1/reports": RouteRule(
        "a body enrolled at the hub (the bus checks the submission's signature)",
        _public,
        public=True,
    ),
    "POST /hub/v1/uploads": SIGNED_IN,
    "GET /hub/v1/bodies": REGULATOR,
    "GET /hub/v1/records": REGULATOR,
    "GET /hub/v1/certificates/{number}": REGULATOR,
    "GET /hub/v1/warnings": REGULATOR,
    "GET /hub/v1/portraits/{kind}/{key}": REGULATOR,
    "GET /hub/v1/warnings/{warning_id}": REGULATOR,
    # the hub's pages: the cockpit and its pages for regulators, inspection results for all
    "GET /hub": REGULATOR,
    # the cockpit's lists as files: the rows the page shows the viewer, within their scope
    "GET /hub/export/{listing_name}": REGULATOR,
    "GET /hub/warnings/{warning_id}": REGULATOR,
    "POST /hub/warnings/{warning_id}/{action}": REGULATOR,
    "GET /hub/bodies/{body_id}": REGULATOR,
    "GET /inspections": PUBLIC,
    "GET /inspections/{draw_id}": PUBLIC,
    # the body's workspace
    "GET /ws/bodies/{body_id}": RouteRule("staff of the body", _staff_of("body_id")),
    "GET /ws/bodies/{body_id}/certifications": RouteRule("staff of the body", _staff_of("body_id")),
    "GET /ws/bodies/{body_id}/search": RouteRule("staff of the body", _staff_of("body_id")),
    "GET /ws/bodies/{body_id}/lists/{name}": RouteRule("staff of the body", _staff_of("body_id")),
    "GET /ws/bodies/{body_id}/export/{listing_name}": RouteRule(
        "staff of the body (the rows its page shows them)", _staff_of("body_id")
    ),
    "GET /ws/bodies/{body_id}/reports": REPORTING,
    "GET /ws/bodies/{body_id}/reports/certsearch": REPORTING,
    "GET /ws/bodies/{body_id}/reports/national": REPORTING,
    "GET /ws/bodies/{body_id}/certifications/{cid}/entries/{index}": RouteRule(
        "staff of the body (entries its timeline shows them)", _staff_of("body_id")
    ),
    "GET /ws/bodies/{body_id}/certifications/{cid}": RouteRule(
        "staff of the body", _staff_of("body_id")
    ),
    "GET /ws/bodies/{body_id}/certifications/{cid}/{action}": RouteRule(
        "staff of the body", _staff_of("body_id")
    ),
    "POST /ws/bodies/{body_id}/certifications/{cid}/{action}": RouteRule(
        "staff of the body (the bus decides the command)", _staff_of("body_id")
    ),
    # an organisation's page and the list of them; the body's auditors and each one's record
    "GET /ws/bodies/{body_id}/clients": CLIENT_PAGES,
    "GET /ws/bodies/{body_id}/clients/{client_id}": CLIENT_PAGES,
    "GET /ws/bodies/{body_id}/auditors": AUDITOR_LIST,
    "GET /ws/bodies/{body_id}/auditors/{auditor_id}": AUDITOR_PAGE,
    # an organisation's live streams and examination report, for the staff of a body that
    # reads its records (a certification of it, or its consent; any other is not found)
    "GET /ws/bodies/{body_id}/clients/{client_id}/streams": RouteRule(
        "staff of the body (organisations it reads)", _staff_of("body_id")
    ),
    "GET /ws/bodies/{body_id}/clients/{client_id}/streams/live": RouteRule(
        "staff of the body (organisations it reads)", _staff_of("body_id")
    ),
    "GET /ws/bodies/{body_id}/clients/{client_id}/streams/{device_id}/readings/{seq}/proof": (
        RouteRule("staff of the body (organisations it reads)", _staff_of("body_id"))
    ),
    "GET /ws/bodies/{body_id}/clients/{client_id}/examination": RouteRule(
        "staff of the body (organisations it reads)", _staff_of("body_id")
    ),
    # The phone check-in page: the body's auditors; the page admits only the audit's team.
    "GET /ws/bodies/{body_id}/certifications/{cid}/audits/{audit_id}/check-in": RouteRule(
        "auditor of the body on the audit's team", _auditor_of("body_id")
    ),
    "POST /ws/bodies/{body_id}/certifications/{cid}/audits/{audit_id}/check-in": RouteRule(
        "auditor of the body on the audit's team (the bus decides the command)",
        _auditor_of("body_id"),
    ),
    # a body's complaints and appeals (its staff read them, its cb-admin handles them: the bus
    # decides), its people and roles (its cb-admin), and its client forms (per command)
    "GET /ws/bodies/{body_id}/cases": RouteRule("staff of the body", _staff_of("body_id")),
    "POST /ws/bodies/{body_id}/cases": RouteRule(
        "cb-admin of the body (the bus decides the command)", _admin_of("body_id")
    ),
    "GET /ws/bodies/{body_id}/cases/{case_id}": RouteRule(
        "staff of the body", _staff_of("body_id")
    ),
    "POST /ws/bodies/{body_id}/cases/{case_id}/resolve": RouteRule(
        "cb-admin of the body (the bus decides the command)", _admin_of("body_id")
    ),
    # acknowledging a case and recording its progress: its body's cb-admin or its handler
    "POST /ws/bodies/{body_id}/cases/{case_id}/{step}": RouteRule(
        "staff of the body (the bus decides the command)", _staff_of("body_id")
    ),
    "GET /ws/bodies/{body_id}/people": RouteRule("cb-admin of the body", _admin_of("body_id")),
    "POST /ws/bodies/{body_id}/people": RouteRule(
        "cb-admin of the body (the bus decides the command)", _admin_of("body_id")
    ),
    "POST /ws/bodies/{body_id}/people/{account_id}/{action}": RouteRule(
        "cb-admin of the body (the bus decides the command)", _admin_of("body_id")
    ),
    "GET /ws/bodies/{body_id}/client-forms": RouteRule(
        "staff of the body (forms per role)", _staff_of("body_id")
    ),
    "POST /ws/bodies/{body_id}/client-forms/{action}": RouteRule(
        "staff of the body (the bus decides the command)", _staff_of("body_id")
    ),
    # the organisation's portal: its users, and the bodies it applied or consented to
    "GET /portal/{client_id}": SIGNED_IN,
    "GET /portal/{client_id}/plan": SIGNED_IN,
    "GET /portal/{client_id}/apply": SIGNED_IN,
    "POST /portal/{client_id}/apply": SIGNED_IN,
    "GET /portal/{client_id}/findings": SIGNED_IN,
    "POST /portal/{client_id}/findings/{certification_id}/{finding_id}/answer": SIGNED_IN,
    "GET /portal/{client_id}/documents": SIGNED_IN,
    "POST /portal/{client_id}/documents": SIGNED_IN,
    "GET /portal/{client_id}/documents/{sha256}": SIGNED_IN,
    "GET /portal/{client_id}/certificates": SIGNED_IN,
    "GET /portal/{client_id}/certificates/{number}/credential": SIGNED_IN,
    "GET /portal/{client_id}/users": SIGNED_IN,
    "POST /portal/{client_id}/users": SIGNED_IN,
    "POST /portal/{client_id}/consents": SIGNED_IN,
    "GET /portal/{client_id}/streams": SIGNED_IN,
    "GET /portal/{client_id}/streams/live": SIGNED_IN,
    "GET /portal/{client_id}/streams/{device_id}/readings/{seq}/proof": SIGNED_IN,
    "GET /portal/{client_id}/examination": SIGNED_IN,
}


def command_names() -> dict[str, type]:
    """Every command by its name on the command line and in the API (``plan-audit``)."""
    return {re.sub(r"(?<!^)(?=[A-Z])", "-", cls.__name__).lower(): cls for cls in COMMANDS}


# Each command has its route; whether the caller may run it is the bus's to decide.
_BY_COMMAND = RouteRule("per command (see COMMANDS)", _public, public=True)
ROUTES.update({f"POST /api/v1/commands/{name}": _BY_COMMAND for name in command_names()})
del ROUTES["POST /api/v1/commands/{command}"]
del ROUTES["POST /api/v1/commands/upload-document"]  # documents come with their bytes


# What the command line does besides commands, with the same rules as the routes that do it.
OPERATIONS: dict[str, RouteRule] = {
    "ledger.append": RouteRule("platform-admin", lambda p, _: _platform(p, None, Resource())),
    "ledger.sign": RouteRule("platform-admin", lambda p, _: _platform(p, None, Resource())),
    "ledger.audit": RouteRule("platform-admin", lambda p, _: _platform(p, None, Resource())),
    "credentials.reconcile": RouteRule(
        "platform-admin", lambda p, _: _platform(p, None, Resource())
    ),
    "exchange.export": RouteRule("staff of the body", _staff_of("body")),
    "exchange.report": RouteRule("staff of the body", _staff_of("body")),
    "witness.manage": RouteRule("platform-admin", lambda p, _: _platform(p, None, Resource())),
    "records.read": SIGNED_IN,
    "hub.scan": RouteRule("the national regulator, or platform-admin", _national),
    # The consumer stores any organisation's readings: the platform's own daemon.
    "evidence.consume": RouteRule("platform-admin", lambda p, _: _platform(p, None, Resource())),
    "evidence.anchor": RouteRule("platform-admin", lambda p, _: _platform(p, None, Resource())),
    # Sending what is due to everyone it concerns: the platform's own job, run by its operator.
    "notices.run": RouteRule("platform-admin", lambda p, _: _platform(p, None, Resource())),
}


def check_operation(
    principal: Principal, name: str, params: Mapping[str, str] | None = None
) -> None:
    """Refuse an operation of the command line the policy does not allow ``principal``."""
    rule = OPERATIONS[name]
    if principal.is_system:
        return
    if not rule.public and not principal.signed_in:
        raise Unauthenticated()
    refused = rule.check(principal, params or {})
    if refused is not None:
        raise Forbidden("access.operation", *refused)


def route_rule(method: str, path: str) -> RouteRule | None:
    """The rule of the route ``method path`` (its template, as declared), if it has one."""
    return ROUTES.get(f"{method} {path}")


def check_route(principal: Principal, method: str, path: str, params: Mapping[str, str]) -> None:
    """Refuse a call of route ``method path`` (its template) the policy does not allow:
    Unauthenticated for nobody where a sign-in is needed, Forbidden otherwise."""
    rule = route_rule(method, path)
    if principal.is_system:
        return
    if rule is None:
        raise Forbidden("access.unlisted", *refusal("route.unlisted", route=f"{method} {path}"))
    if not rule.public and not principal.signed_in:
        raise Unauthenticated()
    refused = rule.check(principal, params)
    if refused is not None:
        raise Forbidden("access.route", *refused)
