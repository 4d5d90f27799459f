"""The hub's other sources: registers taken in row by row, each refusal with its field, the
newest row of a key in force, and only the national regulator importing them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qcert.access import Forbidden, Principal
from qcert.store import hub as hub_views
from qcert.store.replay import check_projections
from qcert.supervision.commands import ImportRegistry
from tests.services import make_services

NATION = Principal("reg-cn", frozenset({("regulator", "region:100000")}))
PROVINCE = Principal("reg-js", frozenset({("regulator", "region:320000")}))


@pytest.fixture
def hub(engine, tmp_path):
    services = make_services(engine, tmp_path, clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
    yield services
    services.close()


def test_a_register_is_taken_in_row_by_row_and_the_newest_row_of_a_key_holds(hub):
    rows = [
        {"registration_id": "2020-N1QMS-0001", "name": "张三", "registered": True},
        {"registration_id": "2020-N1QMS-0002", "name": "李四", "registered": "perhaps"},
    ]
    first = hub.bus.handle(ImportRegistry("auditors", rows), NATION)
    assert first.reply["accepted"] == 1
    [refused] = first.reply["rejected"]
    assert refused["position"] == 1 and refused["field"] == "registered"
    assert refused["rule"] == "registry.schema" and refused["message"]["zh-CN"]
    lapsed = [{"registration_id": "2020-N1QMS-0001", "name": "张三", "registered": False}]
    hub.bus.handle(ImportRegistry("auditors", lapsed), NATION)
    with hub.engine.connect() as conn:
        registry = hub_views.analytic_inputs(conn)[3]
    assert registry == [
        ("auditors", {"registration_id": "2020-N1QMS-0001", "name": "张三", "registered": False})
    ]
    assert check_projections(hub.engine) == []


def test_only_the_national_regulator_takes_in_registers(hub):
    rows = [{"org_id": "91110108551385082Q", "name": "示例", "region": "110108"}]
    with pytest.raises(Forbidden):
        hub.bus.handle(ImportRegistry("organisations", rows), PROVINCE)
    assert hub.bus.handle(ImportRegistry("organisations", rows), NATION).reply["accepted"] == 1
