"""The action forms of a certification's page: which a viewer is offered, the audit-time
calculation the contract reviewer confirms, and the command each posted form becomes.

Who may run what is the access policy's to say (``qcert.access``; ISO/IEC 17021-1 separates
these functions); whether it may run now is the domain's to decide: a form is offered when the
record's state suggests it, and a refusal is shown with its rule and clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.datastructures import FormData

from .. import schemes
from ..access import Principal, Resource, may
from ..lifecycle import commands as c
from ..locale.names import MESSAGES as NAMES
from ..schemes import AuditTime, RuleViolation, SampleSizes
from .body_text import MESSAGES
from .feedback_text import BODY_MESSAGES as CONFIRM_TEXT

__all__ = [
    "FORMS",
    "IRREVERSIBLE",
    "MULTI",
    "Preview",
    "build",
    "form_values",
    "offered",
    "preview_audit_time",
]

# Each form's name is its command's name in the API and on the command line.
FORMS: dict[str, type] = {
    "review-contract": c.ReviewContract,
    "plan-audit": c.PlanAudit,
    "check-in": c.CheckIn,
    "complete-audit": c.CompleteAudit,
    "record-test": c.RecordTest,
    "raise-finding": c.RaiseFinding,
    "close-finding": c.CloseFinding,
    "technical-review": c.TechnicalReview,
    "decide": c.Decide,
    "suspend-certificate": c.SuspendCertificate,
    "restore-certificate": c.RestoreCertificate,
    "withdraw-certificate": c.WithdrawCertificate,
}
# Forms whose command cannot be undone: they record nothing unless ``confirm=yes`` is posted.
IRREVERSIBLE = frozenset({"withdraw-certificate", "decide"})
MULTI = frozenset({"sites"})  # fields a form may repeat (checkboxes)


def offered(
    principal: Principal, body_id: str, record: dict[str, Any], failed: str | None = None
) -> list[str]:
    """The forms ``principal`` is offered on ``record``: those their roles at the body allow
    and the record's state suggests, plus the one that just failed (to show its refusal)."""
    here = Resource(bodies=frozenset({body_id}), client=record.get("client_id"))
    return [
        name
        for name, cls in FORMS.items()
        if may(principal, cls, here) and (name == failed or _fits(name, record))
    ]


def _fits(name: str, record: dict[str, Any]) -> bool:
    cert = record["certificate"]
    status = cert["status"] if cert else None
    audits = record["audits"]
    running = [a for a in audits if a["last_day"] is None]
    live = status not in ("withdrawn", "expired")
    tests = [s for s in schemes.get(record["scheme_id"]).stages if s.activity == "test"]
    return {
        "review-contract": not audits and record["decided_on"] is None,
        "plan-audit": record["contract"] is not None and live,
        "check-in": bool(running),
        "complete-audit": bool(running),
        "record-test": bool(tests) and record["contract"] is not None and live,
        "raise-finding": bool(audits) and live,
        "close-finding": any(f["status"] != "closed" for f in record["findings"]),
        "technical-review": any(a["last_day"] for a in audits)
        and not record["awaiting_decision"]
        and live,
        "decide": record["awaiting_decision"],
        "suspend-certificate": status == "active",
        "restore-certificate": status == "suspended",
        "withdraw-certificate": status in ("active", "suspended"),
    }[name]


def form_values(form: FormData) -> dict[str, Any]:
    """What the user typed, to fill the form again when it is refused."""
    return {k: form.getlist(k) if k in MULTI else form.get(k) for k in form if k != "csrf"}


# .. the contract review's audit-time calculation ...........................


@dataclass(frozen=True)
class Preview:
    """The audit time (IAF MD 5) and multi-site sample (IAF MD 1) a contract review would
    record for the percentages given, or the rule that refuses them."""

    personnel: int
    complexity: str | None
    time: AuditTime | None
    sample: SampleSizes | None
    error: RuleViolation | None


def preview_audit_time(record: dict[str, Any], values: dict[str, Any]) -> Preview:
    """The calculation ``review_contract`` will make (qcert.schemes.scheme_audit_time), so the
    reviewer sees every step of its justification before confirming."""
    application = record["application"] or {}
    personnel = int(application.get("personnel") or (record["client"] or {}).get("personnel", 0))
    complexity = application.get("complexity")
    remote = len(application.get("sites", [])) - 1
    sample = schemes.sample_sizes(remote) if remote >= 1 else None
    try:
        time = schemes.scheme_audit_time(
            schemes.get(record["scheme_id"]),
            personnel,
            complexity,
            _number(values, "reduction_pct", 0.0),
            _number(values, "integrated_pct", 0.0),
        )
    except RuleViolation as err:
        return Preview(personnel, complexity, None, sample, err)
    return Preview(personnel, complexity, time, sample, None)


# .. a posted form becomes a command ........................................


def _invalid(key: str, field: str) -> RuleViolation:
    # The field by the name its form gives it, in each language, not by its id.
    zh, en = MESSAGES[key]
    zh_name, en_name = NAMES.get(f"field.{field}", (field, field))
    return RuleViolation(
        "input.invalid", "qcert", en.format(field=en_name), zh.format(field=zh_name)
    )


def _text(values: dict[str, Any], name: str, required: bool = True) -> str:
    value = values.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise _invalid("input.required", name)
    return text


def _number(values: dict[str, Any], name: str, default: float | None = None) -> float:
    text = _text(values, name, required=default is None)
    if not text and default is not None:
        return default
    try:
        number = float(text)
    except ValueError:
        raise _invalid("input.number", name) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _invalid("input.number", name)
    return number


def _whole(values: dict[str, Any], name: str) -> int:
    try:
        return int(_text(values, name))
    except ValueError:
        raise _invalid("input.integer", name) from None


def _day(values: dict[str, Any], name: str) -> date:
    try:
        return date.fromisoformat(_text(values, name))
    except ValueError:
        raise _invalid("input.date", name) from None


def _choice(values: dict[str, Any], name: str, choices: tuple[str, ...]) -> str:
    value = _text(values, name)
    if value not in choices:
        raise _invalid("input.choice", name)
    return value


def _team(values: dict[str, Any]) -> list[dict[str, str]]:
    # One select per auditor of the body, named role.<auditor>; an empty choice leaves them out.
    return [
        {"auditor": key.split(".", 1)[1], "role": role.strip()}
        for key, role in values.items()
        if key.startswith("role.") and isinstance(role, str) and role.strip()
    ]


def build(name: str, values: dict[str, Any], actor: str, cid: str) -> Any:
    """The command form ``name`` asks for, run as ``actor`` on certification ``cid``.

    Raises RuleViolation (``input.invalid``, in both languages) naming the first field that
    is missing or malformed; the rules of the lifecycle are the domain's to check.
    """
    v = values
    if name in IRREVERSIBLE and v.get("confirm") != "yes":
        # Asked on the server, not only in the browser: a form posted without the box ticked
        # records nothing.
        zh, en = CONFIRM_TEXT["confirm.required"]
        raise RuleViolation("input.invalid", "qcert", en, zh)
    if name == "review-contract":
        return c.ReviewContract(
            cid,
            actor,
            _number(v, "reduction_pct", 0.0),
            _number(v, "integrated_pct", 0.0),
            _number(v, "site_reduction_pct", 0.0),
        )
    if name == "plan-audit":
        reason, by = _text(v, "override_reason", False), _text(v, "override_by", False)
        return c.PlanAudit(
            cid,
            _text(v, "audit_id"),
            _text(v, "kind"),
            _team(v),
            _text(v, "method"),
            _day(v, "start"),
            _day(v, "end"),
            _number(v, "planned_days"),
            [s for s in v.get("sites", []) if isinstance(s, str)],
            {"reason": reason, "approved_by": by} if reason or by else None,
        )
    if name == "check-in":
        out = _choice(v, "direction", ("in", "out")) == "out"
        return c.CheckIn(
            cid, _text(v, "audit_id"), actor, _number(v, "lat"), _number(v, "lon"), out
        )
    if name == "complete-audit":
        on_site = _text(v, "on_site_days", False)
        return c.CompleteAudit(
            cid,
            _text(v, "audit_id"),
            _number(v, "actual_days"),
            _day(v, "last_day"),
            _number(v, "on_site_days") if on_site else None,
        )
    if name == "record-test":
        return c.RecordTest(
            cid,
            _text(v, "test_id"),
            _text(v, "stage"),
            _text(v, "laboratory"),
            _text(v, "report_no"),
            _choice(v, "result", ("pass", "fail")),
            _day(v, "on"),
            _text(v, "note", False),
        )
    if name == "raise-finding":
        return c.RaiseFinding(
            cid,
            _text(v, "finding_id"),
            _text(v, "audit_id"),
            _text(v, "grade"),
            _text(v, "clause"),
            _text(v, "evidence"),
            actor,
        )
    if name == "close-finding":
        return c.CloseFinding(cid, _text(v, "finding_id"), actor, _day(v, "on"))
    if name == "technical-review":
        return c.TechnicalReview(cid, actor, _text(v, "recommendation"))
    if name == "decide":
        return c.Decide(
            cid,
            actor,
            _text(v, "outcome"),
            _day(v, "on"),
            _text(v, "number", False),
            _text(v, "scope", False),
        )
    if name == "suspend-certificate":
        return c.SuspendCertificate(cid, _text(v, "reason"), _day(v, "on"), _whole(v, "months"))
    if name == "restore-certificate":
        return c.RestoreCertificate(cid, _day(v, "on"))
    if name == "withdraw-certificate":
        return c.WithdrawCertificate(cid, _text(v, "reason"), _day(v, "on"))
    raise KeyError(name)
