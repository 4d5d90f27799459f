"""Complaints and appeals through the handlers and the store: the decider is the acting
account and is checked against the certification, the steps carry the server's time, the
access policy lets the body's administrator and the case's handler take the steps, and the
projections equal a replay of the ledger, decisions recorded before deciders included."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from qcert.access import Forbidden, Principal, authorize
from qcert.lifecycle import AcknowledgeCase, OpenCase, RecordCaseProgress, ResolveCase
from qcert.lifecycle import events as ev
from qcert.lifecycle.cases import Case
from qcert.lifecycle.handlers import handle
from qcert.schemes import RuleViolation
from qcert.store import tables as t
from qcert.store.replay import check_projections
from qcert.store.resources import resource_of
from qcert.store.uow import UnitOfWork
from tests.integration.lifecycle.conftest import certify


def _documents(engine, case_id: str) -> list[dict]:
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(t.events.c.document)
            .where(t.events.c.aggregate == f"case:{case_id}")
            .order_by(t.events.c.ledger_index)
        ).scalars()
        return [json.loads(d) for d in found]


@pytest.fixture
def appeal(world):
    certify(world)
    world(OpenCase("ap1", "appeal", "cert1", "handler1", "客户对认证决定提出申诉"))
    return world


def test_the_acting_account_is_recorded_as_the_decider(appeal, engine):
    appeal(AcknowledgeCase("ap1", "已电话及书面确认收到"))
    appeal(RecordCaseProgress("ap1", "已调阅第二阶段审核报告"))
    appeal(ResolveCase("ap1", "维持原决定", date(2023, 3, 20)))
    docs = _documents(engine, "ap1")
    assert [d["type"] for d in docs] == [
        "case.opened",
        "case.acknowledged",
        "case.progress-recorded",
        "case.resolved",
    ]
    assert docs[-1]["data"]["decider"] == "tester" == docs[-1]["actor"]
    # The steps' times are the server's, to the second, in UTC.
    assert docs[1]["data"]["at"] == docs[1]["at"] and docs[1]["at"].endswith("Z")
    (row,) = _rows(engine)
    assert row["resolved"] and row["outcome"] == "维持原决定"
    assert check_projections(engine) == []


def _rows(engine):
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t.cases)).mappings()]


def test_a_decider_who_decided_the_certification_is_refused_by_the_handler(appeal, engine):
    with pytest.raises(RuleViolation) as err:
        appeal(ResolveCase("ap1", "撤销原决定", date(2023, 3, 20), "dec1"))
    assert err.value.rule == "case.decider-independence"
    assert err.value.source == "ISO/IEC 17021-1:2015 9.7.3, 9.7.8"
    assert "dec1" in err.value.zh and "cert1" in err.value.zh
    assert not _rows(engine)[0]["resolved"]
    assert [d["type"] for d in _documents(engine, "ap1")] == ["case.opened"]


def test_steps_after_closing_are_refused_and_leave_the_ledger_as_it_was(appeal, engine):
    appeal(ResolveCase("ap1", "维持原决定", date(2023, 3, 20), "admin1"))
    for late in (AcknowledgeCase("ap1", "迟到的确认"), RecordCaseProgress("ap1", "迟到的进展")):
        with pytest.raises(RuleViolation) as err:
            appeal(late)
        assert err.value.rule == "case.closed"
    assert len(_documents(engine, "ap1")) == 2
    assert check_projections(engine) == []


def test_a_decision_recorded_before_deciders_replays_and_the_projections_agree(
    appeal, engine, clock
):
    # Recorded as before: the event without its decider field (never rewritten since).
    uow = UnitOfWork(engine, actor="admin1", clock=clock)
    with uow:
        uow.get(Case, "ap1").record(ev.CaseResolved("维持原决定", "2023-03-20"))
        uow.commit()
    old = _documents(engine, "ap1")[-1]
    assert old["data"] == {"outcome": "维持原决定", "on": "2023-03-20"}
    assert check_projections(engine) == []
    with UnitOfWork(engine, clock=clock) as fresh:
        case = fresh.get(Case, "ap1")
    assert case.resolved and case.decider == ""
    with pytest.raises(RuleViolation) as err:
        appeal(RecordCaseProgress("ap1", "迟到的进展"))
    assert err.value.rule == "case.closed"


def _may(engine, who: Principal, command) -> bool:
    with engine.connect() as conn:
        resource = resource_of(conn, command)
    try:
        authorize(who, command, resource)
    except Forbidden:
        return False
    return True


@pytest.mark.parametrize(
    ("account", "roles", "allowed"),
    [
        ("admin1", {("cb-admin", "body:cb1")}, True),
        ("handler1", {("auditor", "body:cb1")}, True),  # the case's handler, staff of cb1
        ("handler1", {("auditor", "body:cb2")}, False),  # its handler, no longer at cb1
        ("lead", {("auditor", "body:cb1")}, False),  # a lesser role, not its handler
        ("admin2", {("cb-admin", "body:cb2")}, False),  # another body's administrator
        ("client", {("client-user", "client:c1")}, False),
    ],
)
def test_the_steps_are_the_administrators_and_the_handlers(appeal, engine, account, roles, allowed):
    who = Principal(account, frozenset(roles), "account")
    for command in (AcknowledgeCase("ap1", "收到"), RecordCaseProgress("ap1", "进展")):
        assert _may(engine, who, command) is allowed


def test_only_the_administrator_decides_and_only_as_themselves(appeal, engine):
    admin = Principal("admin1", frozenset({("cb-admin", "body:cb1")}), "account")
    handler = Principal("handler1", frozenset({("auditor", "body:cb1")}), "account")
    on = date(2023, 3, 20)
    assert _may(engine, admin, ResolveCase("ap1", "x", on))
    assert _may(engine, admin, ResolveCase("ap1", "x", on, "admin1"))
    assert not _may(engine, admin, ResolveCase("ap1", "x", on, "someone-else"))
    assert not _may(engine, handler, ResolveCase("ap1", "x", on, "handler1"))


def test_handle_gives_the_steps_the_clock_of_the_unit_of_work(appeal, engine, clock):
    clock.set(datetime(2023, 3, 10, 2, 3, 4, 567, tzinfo=UTC))
    handle(AcknowledgeCase("ap1", "已确认"), UnitOfWork(engine, actor="admin1", clock=clock))
    assert _documents(engine, "ap1")[-1]["data"]["at"] == "2023-03-10T02:03:04Z"
