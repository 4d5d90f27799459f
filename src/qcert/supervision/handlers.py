"""The hub's handlers: open the unit of work, load, call one domain method, commit."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, Protocol

from ..exchange.submission import check_records, document, signed_bytes
from ..ledger.canonical import canonical_json
from ..lifecycle.aggregate import utc_instant
from . import commands as c
from .campaigns import Campaign
from .intake import Known, take_in
from .model import Registry, ReportingBody, Scan
from .registries import check_rows
from .warnings import Warning, warning_id

__all__ = ["HANDLERS"]


class HubUnitOfWork(Protocol):
    reply: dict[str, Any]

    def get(self, cls: type[Any], id: str) -> Any: ...
    def add(self, agg: Any) -> None: ...
    def clock(self) -> Any: ...
    def hub_known(
        self,
        body_id: str,
        record_ids: list[str],
        numbers: list[str],
        certification_ids: list[str],
    ) -> Known: ...
    def log_root(self, origin: str, size: int) -> bytes | None: ...


def enrol_body(cmd: c.EnrolBody, uow: Any) -> None:
    body = ReportingBody.enrol(
        cmd.body_id, cmd.name_zh, cmd.name_en, cmd.region, cmd.origin, cmd.vkey, uow.recording.today
    )
    body.register_key(cmd.key_id, cmd.public_key_multibase)
    uow.add(body)


def register_reporting_key(cmd: c.RegisterReportingKey, uow: HubUnitOfWork) -> None:
    uow.get(ReportingBody, cmd.body_id).register_key(cmd.key_id, cmd.public_key_multibase)


def submit_report(cmd: c.SubmitReport, uow: HubUnitOfWork) -> None:
    env = cmd.envelope
    body = uow.get(ReportingBody, env.body_id)
    received = uow.clock()
    checked = check_records(env.records, received)
    records = [r for _, r in checked.good]
    known = uow.hub_known(
        body.id,
        [r.id for r in records],
        [r.certificate_no for r in records if r.kind == "status-change"],
        [r.certification_id for r in records if hasattr(r, "certification_id")],
    )
    # every record of a report is usually proved against the same tree size: look each size's
    # root up once per report, not once per record
    roots = functools.cache(lambda size: uow.log_root(body.origin, size))
    intake = take_in(checked.good, known, roots, received)
    sent = document(env)
    submission = hashlib.sha256(canonical_json(sent)).hexdigest()
    key_id = env.signature.key_id if env.signature else ""
    body.accept(submission, key_id, env.sent_at, utc_instant(received), intake.accepted)
    rejected = sorted(checked.rejected + intake.rejected, key=lambda r: r.position)
    uow.reply.update(
        {
            "submission": submission,
            "signed_sha256": hashlib.sha256(signed_bytes(sent)).hexdigest(),
            "received": len(env.records),
            "accepted": len(intake.accepted),
            "unchanged": intake.unchanged,
            "revisions": sum(1 for r in intake.accepted if r["revision"] > 1),
            "rejected": [r.document() for r in rejected],
        }
    )


def commit_draw(cmd: c.CommitDraw, uow: Any) -> None:
    campaign, published = Campaign.commit(
        cmd.draw_id,
        cmd.name_zh,
        cmd.name_en,
        cmd.jurisdiction,
        cmd.commitment,
        cmd.inputs,
        uow.recording.today,
    )
    uow.documents.put(published)  # content-addressed: the event names it by its SHA-256
    uow.add(campaign)
    uow.reply["inputs_sha256"] = campaign.inputs_sha256


def reveal_draw(cmd: c.RevealDraw, uow: Any) -> None:
    campaign = uow.get(Campaign, cmd.draw_id)
    campaign.reveal(cmd.seed, uow.documents.read(campaign.inputs_sha256))
    uow.reply["selected"] = len(campaign.selections)


def record_inspection_result(cmd: c.RecordInspectionResult, uow: Any) -> None:
    campaign = uow.get(Campaign, cmd.draw_id)
    campaign.record_result(cmd.target_id, cmd.outcome, cmd.on, cmd.note, uow.recording.today)


def raise_warnings(cmd: c.RaiseWarnings, uow: Any) -> None:
    new = updated = 0
    for hit in cmd.hits:
        wid = warning_id(str(hit["indicator"]), str(hit["entity_kind"]), str(hit["entity_id"]))
        if uow.exists(Warning, wid):
            updated += uow.get(Warning, wid).fire(hit)
        else:
            uow.add(Warning.first(hit))
            new += 1
    uow.reply.update({"new": new, "updated": updated})


def record_scan(cmd: c.RecordScan, uow: Any) -> None:
    day = cmd.as_of.isoformat()
    scan = uow.get(Scan, day) if uow.exists(Scan, day) else None
    if scan is None:
        scan = Scan(day)
        uow.add(scan)
    scan.found(dict(cmd.counts), list(cmd.grades), dict(cmd.classes), list(cmd.riskiest))


def change_warning(cmd: c.ChangeWarning, uow: Any) -> None:
    uow.get(Warning, cmd.warning_id).change(cmd.status, cmd.reason)


def rank_warning(cmd: c.RankWarning, uow: Any) -> None:
    uow.get(Warning, cmd.warning_id).rank(cmd.priority, cmd.reason)


def refer_warning(cmd: c.ReferWarning, uow: Any) -> None:
    found = uow.get(Warning, cmd.warning_id)
    found.refer(cmd.to, cmd.due, cmd.reason, uow.recording.today)


def import_registry(cmd: c.ImportRegistry, uow: Any) -> None:
    good, refused = check_rows(cmd.source, cmd.rows)
    registry = (
        uow.get(Registry, cmd.source) if uow.exists(Registry, cmd.source) else Registry(cmd.source)
    )
    if registry.version == 0 and good:
        uow.add(registry)
    registry.take(good)
    uow.reply.update({"accepted": len(good), "rejected": [r.document() for r in refused]})


def flag_log(cmd: c.FlagLog, uow: HubUnitOfWork) -> None:
    uow.get(ReportingBody, cmd.body_id).refuse_log(cmd.origin, cmd.held, cmd.offered, cmd.reason)


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    c.EnrolBody: enrol_body,
    c.RegisterReportingKey: register_reporting_key,
    c.SubmitReport: submit_report,
    c.FlagLog: flag_log,
    c.CommitDraw: commit_draw,
    c.RevealDraw: reveal_draw,
    c.RecordInspectionResult: record_inspection_result,
    c.RaiseWarnings: raise_warnings,
    c.ChangeWarning: change_warning,
    c.RankWarning: rank_warning,
    c.ReferWarning: refer_warning,
    c.ImportRegistry: import_registry,
    c.RecordScan: record_scan,
}
