"""The rules of a complaint or appeal in the domain (ISO/IEC 17021-1:2015 9.7, 9.8): who may
decide it, the steps between receipt and decision, and nothing recorded once it is closed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from qcert.lifecycle import events as ev
from qcert.lifecycle.cases import Case
from qcert.schemes import RuleViolation

AT = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


@dataclass
class _Certification:
    """What a case asks of the certification it is about: its id, body and the people who
    audited, reviewed or decided it."""

    id: str = "cert1"
    body_id: str = "cb1"
    people: set[str] = field(default_factory=lambda: {"lead1", "rev1", "dec1"})

    def involved(self) -> set[str]:
        return self.people


def _case(kind: str = "appeal") -> Case:
    case = Case.open("k1", kind, _Certification(), "handler1", "the client appeals")  # type: ignore[arg-type]
    case.pending.clear()
    return case


def _refused(rule: str, call, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        call(*args)
    assert err.value.rule == rule, err.value
    assert err.value.zh and err.value.en and err.value.zh != err.value.en
    return err.value


@pytest.mark.parametrize(
    ("kind", "source"),
    [
        ("appeal", "ISO/IEC 17021-1:2015 9.7.3, 9.7.8"),
        ("complaint", "ISO/IEC 17021-1:2015 9.8.8"),
    ],
)
@pytest.mark.parametrize("person", ["lead1", "rev1", "dec1"])
def test_a_decider_involved_in_the_certification_is_refused(kind, source, person):
    case = _case(kind)
    found = _refused(
        "case.decider-independence",
        case.resolve,
        "upheld",
        date(2024, 5, 6),
        person,
        _Certification(),
    )
    assert found.source == source
    assert person in found.en and "cert1" in found.en and person in found.zh
    assert not case.resolved and not case.pending


def test_an_uninvolved_decider_is_recorded_in_the_event():
    case = _case()
    case.resolve("upheld in part", date(2024, 5, 6), "admin1", _Certification())  # type: ignore[arg-type]
    (resolved,) = case.pending
    assert isinstance(resolved, ev.CaseResolved)
    assert resolved.data() == {"outcome": "upheld in part", "on": "2024-05-06", "decider": "admin1"}
    assert case.resolved and case.decider == "admin1"


def test_the_handler_may_decide_the_standard_asks_only_that_they_were_not_involved():
    case = _case()
    case.resolve("rejected", date(2024, 5, 6), "handler1", _Certification())  # type: ignore[arg-type]
    assert case.decider == "handler1"


def test_receipt_is_acknowledged_once_at_the_time_given_to_the_second():
    case = _case()
    case.acknowledge("received on the phone, letter sent", AT)
    (acknowledged,) = case.pending
    assert acknowledged == ev.CaseAcknowledged(
        "received on the phone, letter sent", "2024-05-06T07:08:09Z"
    )
    found = _refused("case.acknowledged", case.acknowledge, "again", AT)
    assert (
        "2024-05-06T07:08:09Z" in found.en and found.source == "ISO/IEC 17021-1:2015 9.7.7, 9.8.7"
    )


def test_progress_is_recorded_with_its_note_and_time():
    case = _case()
    case.record_progress("audit report of stage 2 re-read", AT)
    case.record_progress("client told: decision within 30 days", AT)
    assert [note for _, note in case.progress] == [
        "audit report of stage 2 re-read",
        "client told: decision within 30 days",
    ]
    assert all(isinstance(e, ev.CaseProgressRecorded) for e in case.pending)


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_a_step_without_a_note_or_with_too_long_a_one_names_the_field(note):
    found = _refused("input.invalid", _case().record_progress, note, AT)
    assert found.en.startswith("note:")


def test_a_time_without_a_zone_is_refused():
    found = _refused("input.invalid", _case().acknowledge, "ok", datetime(2024, 5, 6, 7, 8))
    assert found.en.startswith("time:")


@pytest.mark.parametrize(
    ("step", "args"),
    [("acknowledge", ("late", AT)), ("record_progress", ("late", AT))],
)
def test_no_step_is_recorded_after_the_case_is_closed(step, args):
    case = _case("complaint")
    case.resolve("rejected", date(2024, 5, 6), "admin1", _Certification())  # type: ignore[arg-type]
    case.pending.clear()
    found = _refused("case.closed", getattr(case, step), *args)
    assert found.source == "ISO/IEC 17021-1:2015 9.7.9, 9.8.9"
    assert "2024-05-06" in found.en and "k1" in found.zh and "投诉" in found.zh
    assert not case.pending


def test_a_closed_case_is_not_decided_twice():
    case = _case()
    case.resolve("rejected", date(2024, 5, 6), "admin1", _Certification())  # type: ignore[arg-type]
    _refused("state.order", case.resolve, "upheld", date(2024, 5, 7), "admin1", _Certification())


OLD_RESOLVED = {
    "type": "case.resolved",
    "aggregate": "case:k1",
    "seq": 2,
    "at": "2024-01-20T03:04:05Z",
    "tz": "Asia/Shanghai",
    "actor": "admin1",
    "tenant": "cb1",
    "data": {"outcome": "appeal upheld in part", "on": "2024-01-20"},
}


def test_a_decision_recorded_before_deciders_keeps_its_bytes_and_replays_without_one():
    old = ev.decode(OLD_RESOLVED)
    assert old.document() == OLD_RESOLVED  # the ledger's bytes are never rewritten
    opened = ev.CaseOpened("k1", "appeal", "cert1", "cb1", "handler1", "the client appeals")
    case = Case.replay("k1", [opened, old.event])
    assert case.resolved and case.decider == "" and case.outcome == "appeal upheld in part"
    # Nothing more is recorded on it, decider or not.
    _refused("case.closed", case.record_progress, "late", AT)
