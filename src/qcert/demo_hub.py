"""The demo's supervision hub: the regulator's half of the demo world, in the same process.

The four demo bodies enrol at the hub and report everything they recorded, each record with its
inclusion proof in the platform's own log; the registers are taken from what the platform knows
(scopes, auditors and employers, organisations). A fifth body, not on qcert, reports by
spreadsheet, and its records carry planted misconduct: an audit cut to a fraction of its time,
a check-in 40 km from the site, an auditor of another body in two places at once, an
unregistered auditor, a certificate hours after its application and outside the body's scope,
four certificates to a micro firm in one day, an active certificate of a deregistered firm, a
failed sampling inspection with no follow-up, an edited report, an auditor employed by two
bodies at once, and a certificate number looked up in public that no body reported. The risk
scan then finds them, and a random inspection campaign is committed, drawn and partly answered.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .access import ANONYMOUS, Principal
from .credentials import multibase_public_key
from .exchange import reporter
from .exchange.submission import Envelope, envelope, sign
from .ledger import SHA256
from .lifecycle.identifiers import uscc_check_char
from .store import hub as hub_views
from .supervision.commands import (
    CommitDraw,
    EnrolBody,
    ImportRegistry,
    RecordInspectionResult,
    RevealDraw,
    SubmitReport,
)
from .supervision.draw import commitment, new_seed
from .worldgen.clients import organisation_code

__all__ = ["BODY_REGIONS", "OUTSIDER", "HubSummary", "build_hub"]

log = logging.getLogger(__name__)

# Where the demo bodies are registered (GB/T 2260), and the body that reports by spreadsheet.
BODY_REGIONS = {
    "demo-cb": ("110105", "示例质量认证中心", "Example Quality Certification Centre"),
    "demo-cb2": ("310115", "示例环境与信息安全认证有限公司", "Example Environment Certification"),
    "demo-cb3": (
        "440305",
        "示例智能制造与产品认证中心",
        "Example Smart Manufacturing Certification",
    ),
    "demo-cb4": ("320506", "示例服务认证有限公司", "Example Service Certification"),
}
OUTSIDER = ("demo-cb5", "330106", "浙江某认证有限公司", "Zhejiang Sample Certification Co.")
_BEIJING = ZoneInfo("Asia/Shanghai")
_DEMO = Principal.system("demo")  # the demo world is put together by the platform itself


@dataclass
class HubSummary:
    """What the demo hub holds: bodies enrolled, records reported, warnings raised."""

    bodies: int = 0
    records: int = 0
    warnings: int = 0
    grades: dict[str, str] = field(default_factory=dict)


def _uscc(seed: str) -> str:
    digits = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 10**8
    first = "91330106" + organisation_code(f"{digits:08d}")
    return first + uscc_check_char(first)


def _at(day: date, hour: int = 10) -> str:
    return datetime.combine(day, time(hour), _BEIJING).isoformat()


def _planted(today: date, borrowed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The outsider's records, misconduct planted among them (see the module's list)."""
    mill, micro, gone, failed = (_uscc(s) for s in ("mill", "micro", "gone", "failed"))
    day = today - timedelta(days=40)
    records: list[dict[str, Any]] = []

    def org(uscc: str, name: str, size: str) -> dict[str, Any]:
        return {"uscc": uscc, "name": name, "region": "330106", "size": size}

    def apply(cid: str, uscc: str, name: str, size: str, on: date, hour: int = 9) -> None:
        records.append(
            {
                "kind": "application",
                "id": f"{cid}-app",
                "occurred_at": _at(on, hour),
                "certification_id": cid,
                "organisation": org(uscc, name, size),
                "scheme_id": "iso9001",
                "sectors": [17],
                "received_on": on.isoformat(),
            }
        )

    def certificate(cid: str, uscc: str, number: str, on: date, scheme: str = "iso9001") -> None:
        records.append(
            {
                "kind": "certificate",
                "id": f"{cid}-cert",
                "occurred_at": _at(on, 15),
                "certification_id": cid,
                "certificate_no": number,
                "uscc": uscc,
                "scheme_id": scheme,
                "sectors": [17],
                "scope": "机械零件加工 / Machining",
                "issued_on": on.isoformat(),
                "expires_on": (on + timedelta(days=3 * 365)).isoformat(),
            }
        )

    # A certificate five hours after its application, and outside the body's scope.
    apply("z-mill", mill, "速成机械厂", "small", day)
    certificate("z-mill", mill, "Z25Q0001", day, scheme="iso14001")
    # Four certificates to a micro firm in one day.
    for n, scheme in enumerate(("iso9001", "iso14001", "iso45001", "iso27001")):
        apply(f"z-micro{n}", micro, "小微贸易商行", "micro", day - timedelta(days=20))
        certificate(f"z-micro{n}", micro, f"Z25M000{n}", day, scheme=scheme)
    # An audit cut to a sixth of its time, a third of it on site, a check-in 40 km away, an
    # auditor nobody registered.
    apply("z-short", failed, "抽检不合格电器厂", "medium", day - timedelta(days=60))
    start = day - timedelta(days=10)
    site = {"name": "工厂", "region": "330106", "lat": 30.2741, "lon": 120.1551}
    records += [
        {
            "kind": "audit-plan",
            "id": "z-short-plan",
            "occurred_at": _at(start - timedelta(days=5)),
            "certification_id": "z-short",
            "audit_id": "z-s2",
            "audit_kind": "surveillance",
            "method": "FS01",
            "start_on": start.isoformat(),
            "end_on": start.isoformat(),
            "planned_days": 3.0,
            "minimum_days": 3.0,
            "team": [
                {"registration_no": "2016-N1QMS-0000001", "name": "查无此人", "role": "leader"}
            ],
            "sites": [site],
        },
        {
            "kind": "check-in",
            "id": "z-short-in",
            "occurred_at": _at(start, 9),
            "certification_id": "z-short",
            "audit_id": "z-s2",
            "registration_no": "2016-N1QMS-0000001",
            "direction": "in",
            "at": _at(start, 9),
            "lat": 30.62,
            "lon": 120.1551,
        },
        {
            "kind": "audit-result",
            "id": "z-short-result",
            "occurred_at": _at(start, 17),
            "certification_id": "z-short",
            "audit_id": "z-s2",
            "end_on": start.isoformat(),
            "actual_days": 0.5,
            "onsite_days": 0.2,
            "findings": [],
        },
    ]
    certificate("z-short", failed, "Z25Q0009", day - timedelta(days=50))
    # A firm deregistered while its certificate stays active.
    apply("z-gone", gone, "已注销五金厂", "small", day - timedelta(days=300))
    certificate("z-gone", gone, "Z24Q0007", day - timedelta(days=280))
    if borrowed is not None:
        # Another body's auditor on an audit of this body on the same days: in two places.
        records.append(
            {
                "kind": "audit-plan",
                "id": "z-double-plan",
                "occurred_at": borrowed["occurred_at"],
                "certification_id": "z-gone",
                "audit_id": "z-double",
                "audit_kind": "surveillance",
                "method": "FS01",
                "start_on": borrowed["start_on"],
                "end_on": borrowed["end_on"],
                "planned_days": 1.0,
                "team": [borrowed["member"]],
                "sites": [site],
            }
        )
    return records


def _borrowed(engine: Any) -> dict[str, Any] | None:
    """An audit plan of the first demo body in the last year, to double-book its auditor."""
    with engine.connect() as conn:
        plans = hub_views.record_rows(conn, ["100000"], kind="audit-plan", body_id="demo-cb")
    for row in plans:
        r = row["record"]
        if r.get("team"):
            return {
                "occurred_at": r["occurred_at"],
                "start_on": r["start_on"],
                "end_on": r["end_on"],
                "member": {"registration_no": r["team"][0]["registration_no"], "role": "leader"},
            }
    return None


def _local(bus: Any) -> Any:
    """``send`` for the reporter inside this process: the hub's intake, checked as any other
    submission is (the signature is what admits it)."""

    def send(signed: dict[str, Any]) -> dict[str, Any]:
        return dict(bus.handle(SubmitReport(Envelope.model_validate(signed)), ANONYMOUS).reply)

    return send


def _registers(services: Any, today: date) -> None:
    with services.engine.connect() as conn:
        own = hub_views.own_registers(conn)
    for row in own["organisations"]:
        row.setdefault("size", "small")
    gone = _uscc("gone")
    own["organisations"].append(
        {
            "org_id": gone,
            "name": "已注销五金厂",
            "region": "330106",
            "size": "small",
            "deregistered_on": (today - timedelta(days=100)).isoformat(),
        }
    )
    own["body-scopes"].append(
        {"body_id": OUTSIDER[0], "scheme": "iso9001", "sector": "17", "granted_on": "2015-01-01"}
    )
    own["sampling"] = [
        {
            "org_id": _uscc("failed"),
            "sampled_on": (today - timedelta(days=70)).isoformat(),
            "failed": True,
            "product": "电热水壶 / kettles",
        }
    ]
    own["public-queries"] = [
        {"cert_no": "Z99Q9999", "queried_at": _at(today - timedelta(days=d))} for d in (3, 9)
    ]
    # An auditor of the first body employed by the outsider too, at the same time.
    if own["employments"]:
        first = own["employments"][0]["registration_id"]
        own["employments"].append(
            {"registration_id": first, "body_id": OUTSIDER[0], "since": "2024-01-01"}
        )
    for source, rows in own.items():
        for start in range(0, len(rows), 5000):
            services.bus.handle(ImportRegistry(source, rows[start : start + 5000]), _DEMO)


def build_hub(services: Any, today: date) -> HubSummary:
    """Enrol the demo bodies and the outsider at the hub, take in the registers and every
    report, plant the outsider's misconduct, scan, and run a campaign."""
    ledger, keys, bus = services.ledger, services.keys, services.bus
    origin = ledger.origin_of(SHA256)
    vkey = "\n".join(v.vkey() for v in ledger.verifiers())
    reporting: dict[str, tuple[str, Any]] = {}
    for body_id, (region, zh, en) in {**BODY_REGIONS, OUTSIDER[0]: OUTSIDER[1:]}.items():
        key_id, key = keys.create(body_id)
        public = multibase_public_key(key.public_key())
        bus.handle(EnrolBody(body_id, zh, en, region, origin, vkey, key_id, public), _DEMO)
        reporting[body_id] = (key_id, key)
    _registers(services, today)
    ledger.sign_due()
    size = ledger.signed_size()
    send = _local(bus)
    for body_id in BODY_REGIONS:
        reporter.report_round(services, body_id, reporting[body_id][0], "local", send, size)
    key_id, key = reporting[OUTSIDER[0]]
    planted = _planted(today, _borrowed(services.engine))
    sent = datetime.now(UTC).replace(microsecond=0).isoformat()
    send(sign(envelope(OUTSIDER[0], sent, planted), key, key_id))
    # Reported late: a decision 90 days old sent only now; and a record edited afterwards.
    late = {
        "kind": "decision",
        "id": "z-gone-decision",
        "occurred_at": _at(today - timedelta(days=280)),
        "certification_id": "z-gone",
        "outcome": "grant",
        "decided_on": (today - timedelta(days=280)).isoformat(),
    }
    edited = next(r for r in planted if r["id"] == "z-short-result")
    edited = {**edited, "actual_days": 1.0, "onsite_days": 0.5}
    send(sign(envelope(OUTSIDER[0], sent, [late, edited]), key, key_id))
    summary = HubSummary(bodies=len(reporting))
    try:
        from .scans import scan

        # As of the clock's day: the reports were received today, after the world's last day.
        run = scan(bus, services.engine, services.clock().astimezone(_BEIJING).date())
        summary.warnings = run.new
        summary.grades = {g["body_id"]: g["grade"] for g in run.grades}
    except ImportError as err:  # the analytics extra is not installed: no scan, no warnings
        log.warning("demo hub: no risk scan (%s)", err)
    _campaign(services, today)
    with services.engine.connect() as conn:
        summary.records = sum(b["reported"] for b in hub_views.body_rows(conn, ["100000"]))
    return summary


def _campaign(services: Any, today: date) -> None:
    """A national campaign over the certificates reported, drawn, with two results published."""
    with services.engine.connect() as conn:
        certificates = hub_views.record_rows(conn, ["100000"], kind="certificate", limit=1000)
        scan = hub_views.latest_scan(conn)
    grades = {g["body_id"]: g["grade"] for g in (scan or {}).get("grades", [])}
    targets = {
        r["record"]["certificate_no"]: {
            "id": r["record"]["certificate_no"],
            "kind": "certificate",
            "risk": grades.get(r["body_id"], "B"),
            "region": r["region"] or "110000",
            "body_id": r["body_id"],
            "organisation_id": r["record"]["uscc"],
            "attributes": {"scheme": r["record"]["scheme_id"]},
        }
        for r in reversed(certificates)  # oldest first: a renewal's newest record wins
    }
    if len(targets) < 4:
        return
    inspectors = [
        {
            "id": f"insp-{n:02d}",
            "qualifications": ["certification"],
            "region": ("110000", "310000", "330000", "440000")[n % 4],
        }
        for n in range(12)
    ]
    inputs = {
        "items": [
            {
                "id": "cert-activity",
                "name_zh": "认证活动及认证结果",
                "name_en": "Certification activity and results",
                "qualification": "certification",
            }
        ],
        "targets": list(targets.values()),
        "inspectors": inspectors,
        "history": [],
        "parameters": {"rates": {g: 0.05 for g in "ABCD"}, "floor": 1, "control_share": 0.2},
    }
    seed = new_seed()
    name = f"{today.year}年认证有效性抽查"
    draw_id = f"cn-{today.isoformat()}"
    bus = services.bus
    english = f"Certification spot checks {today.year}"
    command = CommitDraw(draw_id, name, english, "100000", commitment(seed), inputs)
    bus.handle(command, _DEMO)
    bus.handle(RevealDraw(draw_id, seed), _DEMO)
    with services.engine.connect() as conn:
        drawn = (hub_views.draw_row(conn, draw_id) or {}).get("selections", [])
    inspected = services.clock().astimezone(_BEIJING).date()  # after the draw, by the clock
    for n, s in enumerate(drawn[:2]):
        outcome = "non-compliant" if n == 0 else "compliant"
        bus.handle(RecordInspectionResult(draw_id, s["target"], outcome, inspected), _DEMO)
