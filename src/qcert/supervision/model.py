"""A body as the hub knows it: enrolled for reporting, its keys, its log, what it reported.

The hub takes a body's records only under a key the body registered (the access policy checks
the submission's signature), witnesses the log the body enrolled with, and keeps count of what
came in. Each record's content lives in the hub's events and their projection, not here, so a
body's state stays small however much it reports.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..credentials.dataintegrity import ProofError, public_key_from_multibase
from ..ledger import parse_verifier
from ..ledger.errors import LedgerError
from ..lifecycle.aggregate import Aggregate, text_field
from ..lifecycle.identifiers import check_adcode
from ..lifecycle.rules import refuse
from ..locale import problems
from . import events as ev

__all__ = ["Registry", "ReportingBody", "Scan"]


def _problem(field: str, key: str, /, **fields: object) -> Exception:
    # The problem ``key``'s sentences are in the catalogs (locale.problems).
    en, zh = problems.problem(key, **fields)
    return refuse("hub.enrolment", field=field, problem=en, problem_zh=zh)


class ReportingBody(Aggregate):
    """A certification body enrolled at the hub."""

    kind = "hub-body"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.name_zh = self.name_en = self.region = self.origin = self.vkey = ""
        self.enrolled_on = ""
        self.keys: dict[str, str] = {}
        self.reported = 0  # records accepted, revisions included
        self.submissions = 0
        self.last_received = ""
        self.refusals: list[dict[str, Any]] = []

    @classmethod
    def enrol(
        cls,
        body_id: str,
        name_zh: str,
        name_en: str,
        region: str,
        origin: str,
        vkey: str,
        today: date,
    ) -> ReportingBody:
        """Enrol ``body_id``, registered in ``region`` (GB/T 2260), keeping the log ``origin``
        whose checkpoints the keys in ``vkey`` sign (C2SP signed-note verifier keys, one a line:
        its Ed25519 and SM2 keys)."""
        problem = check_adcode(region)
        if problem is not None:
            raise refuse(
                "hub.enrolment", field="region", problem=str(problem), problem_zh=problem.zh
            )
        origin = text_field("origin", origin, 200)
        keys = [k.strip() for k in vkey.strip().split("\n") if k.strip()]
        if not 1 <= len(keys) <= 4:
            raise _problem("vkey", "hub.vkey_count")
        for key in keys:
            try:
                verifier = parse_verifier(key)
            except LedgerError as err:
                raise _problem("vkey", "hub.vkey_invalid", reason=err) from None
            if verifier.name != origin:
                raise _problem("vkey", "hub.vkey_name", name=verifier.name, origin=origin)
        vkey = "\n".join(keys)
        body = cls(text_field("body_id", body_id, 64))
        body.record(
            ev.BodyEnrolled(
                body.id,
                text_field("name_zh", name_zh, 200),
                text_field("name_en", name_en, 200),
                region,
                origin,
                vkey,
                today.isoformat(),
            )
        )
        return body

    def register_key(self, key_id: str, public_key_multibase: str) -> None:
        """Register a key the body signs its submissions with; a key id is never reused."""
        if key_id in self.keys:
            raise _problem("key_id", "hub.key_id_registered", key_id=key_id)
        try:
            public_key_from_multibase(public_key_multibase)
        except (ProofError, ValueError):
            raise _problem("public_key_multibase", "key.not_multikey_hub") from None
        self.record(ev.BodyKeyRegistered(key_id, public_key_multibase))

    def accept(
        self,
        submission: str,
        key_id: str,
        sent_at: str,
        received_at: str,
        records: list[dict[str, Any]],
    ) -> None:
        """Record the records of a submission taken in (already checked by the hub's intake)."""
        if records:
            self.record(ev.ReportAccepted(submission, key_id, sent_at, received_at, records))

    def refuse_log(self, origin: str, held: int, offered: int, reason: str) -> None:
        """Record that the hub, as witness, refused a checkpoint of this body's log (once for the
        same sizes: a log retrying the same fork adds nothing)."""
        last = self.refusals[-1] if self.refusals else {}
        if (last.get("origin"), last.get("held"), last.get("offered")) != (origin, held, offered):
            self.record(ev.LogRefused(origin, held, offered, reason[:500]))

    # -- folding ------------------------------------------------------------------------

    def _on_body_enrolled(self, e: ev.BodyEnrolled) -> None:
        self.name_zh, self.name_en, self.region = e.name_zh, e.name_en, e.region
        self.origin, self.vkey, self.enrolled_on = e.origin, e.vkey, e.on

    def _on_key_registered(self, e: ev.BodyKeyRegistered) -> None:
        self.keys[e.key_id] = e.public_key_multibase

    def _on_report_accepted(self, e: ev.ReportAccepted) -> None:
        self.reported += len(e.records)
        self.submissions += 1
        self.last_received = e.received_at

    def _on_log_refused(self, e: ev.LogRefused) -> None:
        self.refusals.append(
            {"origin": e.origin, "held": e.held, "offered": e.offered, "reason": e.reason}
        )


class Registry(Aggregate):
    """One of the hub's other sources (``supervision.registries.SOURCES``): its imports."""

    kind = "hub-registry"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.imports = 0
        self.rows = 0

    def take(self, rows: list[dict[str, Any]]) -> None:
        """Record checked rows (each ``{"key", "data"}``) of this source."""
        if rows:
            self.record(ev.RegistryImported(self.id, rows))

    def _on_registry_imported(self, e: ev.RegistryImported) -> None:
        self.imports += 1
        self.rows += len(e.rows)


class Scan(Aggregate):
    """A risk scan of the hub's data as of a day (its id)."""

    kind = "hub-scan"

    def __init__(self, id: str) -> None:
        super().__init__(id)
        self.counts: dict[str, int] = {}
        self.grades: list[dict[str, Any]] = []
        self.classes: dict[str, int] = {}
        self.riskiest: list[dict[str, Any]] = []

    def found(
        self,
        counts: dict[str, int],
        grades: list[dict[str, Any]],
        classes: dict[str, int],
        riskiest: list[dict[str, Any]],
    ) -> None:
        """Record what the scan found (a scan of the same day run again records it anew)."""
        self.record(ev.ScanRecorded(self.id, counts, grades, classes, riskiest))

    def _on_scan_recorded(self, e: ev.ScanRecorded) -> None:
        self.counts, self.grades = dict(e.counts), list(e.grades)
        self.classes, self.riskiest = dict(e.classes), list(e.riskiest)
