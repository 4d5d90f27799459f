"""Notices of what is due: each kind fires from a real store state, once, to the right people,
recorded on the ledger so the projections equal a replay."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from qcert.access import Forbidden, Principal
from qcert.lifecycle import CloseFinding
from qcert.notices import MarkNoticeRead, SetNoticeAddress
from qcert.notices.model import Mailbox, Notice
from qcert.store import notices as views
from qcert.store import tables as t
from qcert.store.replay import check_projections
from tests.e2e.web.noticed_world import TODAY, noticed


@pytest.fixture
def world(engine, tmp_path):
    w = noticed(engine, tmp_path)
    yield w
    w.services.close()


def _sent(engine) -> set[tuple[str, str, str, str, str]]:
    n = t.notices.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(n.recipient, n.kind, n.audience, n.certification_id, n.item)
        ).all()
    return {tuple(r) for r in rows}


def _person(account: str, *roles: str) -> Principal:
    return Principal(account, frozenset(tuple(r.split("@")) for r in roles))  # type: ignore[misc]


def _surveillance_item(world) -> str:
    """The programme item of c1-a's first surveillance, never held."""
    p = t.programme.c
    with world.engine.connect() as conn:
        return conn.execute(
            sa.select(p.item)
            .where(p.certification_id == "c1-a", p.done_on.is_(None))
            .order_by(p.due_by)
            .limit(1)
        ).scalar_one()


def test_each_kind_of_notice_goes_to_the_people_its_roles_name(world):
    report = world.services.notifier.run(TODAY)
    first = _surveillance_item(world)
    assert report.sent == 11
    assert _sent(world.engine) == {
        # the finding past its answer deadline: the organisation's users, the body's cb-admin
        # and the audit team's auditor
        ("client", "finding-overdue", "client", "c1-b", "f1"),
        ("cadmin", "finding-overdue", "client", "c1-b", "f1"),
        ("admin1", "finding-overdue", "body", "c1-b", "f1"),
        ("lead", "finding-overdue", "body", "c1-b", "f1"),
        # the answer to review
        ("admin1", "answer-waiting", "body", "c1-b", "f2"),
        ("lead", "answer-waiting", "body", "c1-b", "f2"),
        # the surveillance overdue: the planner and the cb-admin
        ("plan", "surveillance-due", "body", "c1-a", first),
        ("admin1", "surveillance-due", "body", "c1-a", first),
        # the suspension running out: the decision maker and the cb-admin
        ("dec", "suspension-ending", "body", "c1-a", ""),
        ("admin1", "suspension-ending", "body", "c1-a", ""),
        # the open complaint: its handler, who is the cb-admin
        ("admin1", "case-open", "body", "c1-a", "k1"),
    }


def test_a_notice_is_sent_once_however_often_the_job_runs(world):
    first = world.services.notifier.run(TODAY)
    events = world.events()
    again = world.services.notifier.run(TODAY)
    later = world.services.notifier.run(TODAY + timedelta(days=1))
    assert first.sent > 0 and again.sent == 0 and later.sent == 0
    assert world.events() == events


def test_another_body_and_another_organisation_are_told_nothing(world):
    world.services.notifier.run(TODAY)
    recipients = {r[0] for r in _sent(world.engine)}
    assert recipients == {"client", "cadmin", "admin1", "lead", "plan", "dec"}
    with world.engine.connect() as conn:
        for outsider in ("dec2", "client2", "root", "rev"):
            assert views.notices_of(conn, outsider) == ([], 0)
            assert views.unread_count(conn, outsider) == 0


def test_a_closed_finding_is_no_longer_waiting(world):
    world.run(CloseFinding("c1-b", "f2", "lead", TODAY))
    world.services.notifier.run(TODAY)
    assert not [r for r in _sent(world.engine) if r[1] == "answer-waiting"]


def test_nothing_is_due_before_its_time(world):
    # Ninety days after the audit the finding is not late yet; 31 days before the
    # suspension's deadline nothing is said of it.
    world.services.notifier.run(TODAY - timedelta(days=11))
    kinds = {r[1] for r in _sent(world.engine)}
    assert "finding-overdue" not in kinds
    assert "suspension-ending" not in kinds
    assert {"answer-waiting", "case-open"} <= kinds


def test_the_recipient_marks_a_notice_read_and_nobody_else_can(world):
    world.services.notifier.run(TODAY)
    bus = world.services.bus
    with world.engine.connect() as conn:
        (mine, *_), total = views.notices_of(conn, "cadmin")
    assert total == 1 and mine["read_at"] is None
    stranger = _person("client", "client-user@client:c1")
    with pytest.raises(Forbidden):
        bus.handle(MarkNoticeRead(mine["id"], "client"), stranger)
    with pytest.raises(Forbidden):  # acting as someone else
        bus.handle(MarkNoticeRead(mine["id"], "cadmin"), stranger)
    owner = _person("cadmin", "client-admin@client:c1")
    bus.handle(MarkNoticeRead(mine["id"], "cadmin"), owner)
    bus.handle(MarkNoticeRead(mine["id"], "cadmin"), owner)  # again: nothing more recorded
    with world.engine.connect() as conn:
        assert views.notice(conn, mine["id"])["read_at"] is not None
        assert views.unread_count(conn, "cadmin") == 0
        reads = conn.execute(
            sa.select(sa.func.count()).where(t.events.c.type == "notice.read")
        ).scalar_one()
    assert reads == 1


def test_an_address_is_checked_and_the_ledger_replays_to_the_same_tables(world):
    world.services.notifier.run(TODAY)
    bus = world.services.bus
    owner = _person("lead", "auditor@body:cb1")
    with pytest.raises(Exception) as refused:
        bus.handle(SetNoticeAddress("lead", "not an address"), owner)
    assert "email" in str(refused.value)
    with pytest.raises(Forbidden):
        bus.handle(SetNoticeAddress("admin1", "x@example.com"), owner)
    bus.handle(SetNoticeAddress("lead", "lead@example.com"), owner)
    with world.engine.connect() as conn:
        assert views.address_of(conn, "lead") == "lead@example.com"
    assert Notice.kind == "notice" and Mailbox.kind == "mailbox"
    assert check_projections(world.engine) == []


def test_a_notices_entry_is_read_by_its_recipient_and_its_body_an_address_by_its_owner(world):
    from qcert.access import may_read_entry
    from qcert.store.entries import entry_owner

    world.services.notifier.run(TODAY)
    lead = _person("lead", "auditor@body:cb1")
    world.services.bus.handle(SetNoticeAddress("lead", "lead@example.com"), lead)
    e = t.events.c
    with world.engine.connect() as conn:
        index = dict(
            conn.execute(sa.select(e.type, e.ledger_index).where(e.type.like("notice.%"))).all()
        )
        sent = entry_owner(conn, index["notice.sent"])
        address = entry_owner(conn, index["notice.address-set"])
    client2 = _person("client2", "client-user@client:c2")
    dec2 = _person("dec2", "decision-maker@body:cb2")
    assert may_read_entry(_person("dec", "decision-maker@body:cb1"), sent)
    assert not may_read_entry(dec2, sent) and not may_read_entry(client2, sent)
    assert may_read_entry(lead, address)
    assert not may_read_entry(_person("admin1", "cb-admin@body:cb1"), address)
