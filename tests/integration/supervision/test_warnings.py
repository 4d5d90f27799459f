"""Early warnings: one per indicator and entity however often it fires, routed by the entity's
division, moved on with a reason, ranked by a person only with a reason, and referred to
another region, whose regulators see it from then on and no sooner."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from qcert.access import Forbidden, Principal
from qcert.schemes import RuleViolation
from qcert.store import hub as hub_views
from qcert.store.replay import check_projections
from qcert.supervision.commands import ChangeWarning, RaiseWarnings, RankWarning, ReferWarning
from qcert.supervision.warnings import warning_id
from tests.services import SYSTEM, make_services

SUZHOU = Principal("reg-sz", frozenset({("regulator", "region:320500")}))
JIANGSU = Principal("reg-js", frozenset({("regulator", "region:320000")}))
SHANGHAI = Principal("reg-sh", frozenset({("regulator", "region:310000")}))


def _hit(entity="A-0001", evidence=("L1", "L2"), day="2026-05-10", region="320506"):
    return {
        "indicator": "checkin-far",
        "entity_kind": "audit",
        "entity_id": entity,
        "body_id": "cb1",
        "org_id": "91320500MA1234567X",
        "region": region,
        "value": 42.5,
        "threshold": 5.0,
        "evidence": list(evidence),
        "day": day,
    }


@pytest.fixture
def hub(engine, tmp_path):
    services = make_services(engine, tmp_path, clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
    yield services
    services.close()


def _rows(hub, scope):
    with hub.engine.connect() as conn:
        return hub_views.warning_rows(conn, scope)


def test_an_indicator_firing_again_updates_its_warning_and_never_duplicates_it(hub):
    first = hub.bus.handle(RaiseWarnings([_hit(), _hit("A-0002", region="310104")]), SYSTEM)
    assert first.reply == {"new": 2, "updated": 0}
    same = hub.bus.handle(RaiseWarnings([_hit()]), SYSTEM)
    assert same.indices == [] and same.reply == {"new": 0, "updated": 0}
    more = hub.bus.handle(RaiseWarnings([_hit(evidence=("L1", "L2", "L9"))]), SYSTEM)
    assert more.reply == {"new": 0, "updated": 1}
    [suzhou] = _rows(hub, ["320500"])
    assert suzhou["raised"] == 2 and suzhou["evidence"] == ["L1", "L2", "L9"]
    assert [w["entity_id"] for w in _rows(hub, ["310000"])] == ["A-0002"]
    assert len(_rows(hub, ["100000"])) == 2
    assert check_projections(hub.engine) == []


def test_a_warning_moves_on_only_in_order_and_with_a_reason(hub):
    hub.bus.handle(RaiseWarnings([_hit()]), SYSTEM)
    wid = warning_id("checkin-far", "audit", "A-0001")
    with pytest.raises(RuleViolation) as skipped:
        hub.bus.handle(ChangeWarning(wid, "confirmed", "seen"), SUZHOU)
    assert skipped.value.rule == "state.order"
    with pytest.raises(RuleViolation) as silent:
        hub.bus.handle(ChangeWarning(wid, "investigating", "  "), SUZHOU)
    assert silent.value.rule == "input.invalid" and "reason" in silent.value.en
    hub.bus.handle(ChangeWarning(wid, "investigating", "签到位置与场所相距 42 公里"), SUZHOU)
    hub.bus.handle(RankWarning(wid, 1, "同一审核员本月第三次"), JIANGSU)
    [row] = _rows(hub, ["320000"])
    assert row["status"] == "investigating" and row["priority"] == 1
    assert [h["event"] for h in row["history"]] == ["raised", "investigating", "ranked"]
    hub.bus.handle(ChangeWarning(wid, "dismissed", "复核无误"), SUZHOU)
    hub.bus.handle(RaiseWarnings([_hit(evidence=("L7",))]), SYSTEM)
    assert _rows(hub, ["320000"])[0]["status"] == "open"  # new evidence reopens it


def test_another_region_sees_and_handles_a_warning_only_once_referred_to_it(hub):
    hub.bus.handle(RaiseWarnings([_hit()]), SYSTEM)
    wid = warning_id("checkin-far", "audit", "A-0001")
    assert _rows(hub, ["310000"]) == []
    with pytest.raises(Forbidden):
        hub.bus.handle(ChangeWarning(wid, "acknowledged", "收到"), SHANGHAI)
    with pytest.raises(Forbidden):
        hub.bus.handle(ReferWarning(wid, "310000", date(2026, 7, 1), "审核员在上海"), SHANGHAI)
    with pytest.raises(RuleViolation) as home:
        hub.bus.handle(ReferWarning(wid, "320000", date(2026, 7, 1), "本省"), SUZHOU)
    assert "to" in home.value.en
    with pytest.raises(RuleViolation):
        hub.bus.handle(ReferWarning(wid, "310000", date(2026, 5, 1), "已过期"), SUZHOU)
    hub.bus.handle(ReferWarning(wid, "310000", date(2026, 7, 1), "审核员常驻上海"), SUZHOU)
    [seen] = _rows(hub, ["310000"])
    assert seen["referred_to"] == ["310000"]
    hub.bus.handle(ChangeWarning(wid, "acknowledged", "已接收移交"), SHANGHAI)
    with pytest.raises(Forbidden):
        hub.bus.handle(RaiseWarnings([_hit()]), SUZHOU)  # only the platform's scan raises
