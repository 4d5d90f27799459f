"""Random inspection campaigns on the hub's log: the seed committed before the draw, revealed
after it, the draw re-run by anyone from what was published, results made public with an
estimate, and each campaign its jurisdiction's regulators' alone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from qcert.access import Forbidden, Principal
from qcert.schemes import RuleViolation
from qcert.server import create_app
from qcert.supervision.campaigns import rerun
from qcert.supervision.commands import CommitDraw, RecordInspectionResult, RevealDraw
from qcert.supervision.draw import canonical_inputs, commitment, new_seed
from tests.services import make_services
from tests.unit.supervision.test_draw import inputs

JIANGSU = Principal("reg-js", frozenset({("regulator", "region:320000")}))
ZHEJIANG = Principal("reg-zj", frozenset({("regulator", "region:330000")}))


@pytest.fixture
def hub(engine, tmp_path):
    services = make_services(engine, tmp_path, clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
    yield services
    services.close()


def _commit(hub, seed, who=JIANGSU, draw_id="js-2026-1"):
    doc = json.loads(canonical_inputs(inputs()))
    command = CommitDraw(draw_id, "2026年认证活动抽查", "2026 certification spot checks", "320000",
                         commitment(seed), doc)  # fmt: skip
    return hub.bus.handle(command, who)


def test_a_campaign_is_committed_drawn_and_rerun_by_anyone_from_what_it_published(hub):
    seed = new_seed()
    committed = _commit(hub, seed)
    assert committed.reply["inputs_sha256"]
    with TestClient(create_app(hub, schedule=False)) as client:
        before = client.get("/public/inspections/js-2026-1").json()
        assert "seed" not in before and before["selections"] == []
        assert before["commitment"] == commitment(seed)
        with pytest.raises(RuleViolation) as wrong:
            hub.bus.handle(RevealDraw("js-2026-1", new_seed()), JIANGSU)
        assert wrong.value.rule == "input.invalid" and "seed" in wrong.value.en
        revealed = hub.bus.handle(RevealDraw("js-2026-1", seed), JIANGSU)
        assert revealed.reply["selected"] > 0
        published = client.get("/public/inspections/js-2026-1").json()
        inputs_bytes = client.get("/public/inspections/js-2026-1/inputs").content
    assert published["seed"] == seed
    assert rerun(published, inputs_bytes) == []
    tampered = {**published, "selections": published["selections"][1:]}
    assert any("selections" in p for p in rerun(tampered, inputs_bytes))
    edited = inputs_bytes.replace(b"cert-0001", b"cert-9999")
    assert any("inputs" in p for p in rerun(published, edited))


def test_results_are_published_with_an_estimate_once_every_target_has_one(hub):
    seed = new_seed()
    _commit(hub, seed)
    hub.bus.handle(RevealDraw("js-2026-1", seed), JIANGSU)
    with TestClient(create_app(hub, schedule=False)) as client:
        drawn = client.get("/public/inspections/js-2026-1").json()["selections"]
        for n, s in enumerate(drawn):
            outcome = "non-compliant" if n % 4 == 0 else "compliant"
            command = RecordInspectionResult("js-2026-1", s["target"], outcome, date(2026, 6, 1))
            hub.bus.handle(command, JIANGSU)
            estimate = client.get("/public/inspections/js-2026-1").json()["estimate"]
            assert (estimate is None) == (n < len(drawn) - 1)
    assert 0 < estimate["non_compliance_rate"] < 1 and estimate["standard_error"] > 0
    with pytest.raises(RuleViolation):
        hub.bus.handle(
            RecordInspectionResult("js-2026-1", "cert-nobody", "compliant", date(2026, 6, 1)),
            JIANGSU,
        )
    with pytest.raises(RuleViolation) as future:
        target = drawn[0]["target"]
        command = RecordInspectionResult("js-2026-1", target, "compliant", date(2026, 7, 1))
        hub.bus.handle(command, JIANGSU)
    assert future.value.rule == "date.future"
    with pytest.raises(RuleViolation) as again:
        command = RecordInspectionResult(
            "js-2026-1", drawn[0]["target"], "compliant", date(2026, 6, 1)
        )
        hub.bus.handle(command, JIANGSU)
    assert again.value.rule == "state.order"  # a published result is never rewritten


def test_a_campaign_is_its_jurisdictions_regulators_alone(hub):
    seed = new_seed()
    with pytest.raises(Forbidden):
        _commit(hub, seed, who=ZHEJIANG)
    _commit(hub, seed)
    with pytest.raises(Forbidden):
        hub.bus.handle(RevealDraw("js-2026-1", seed), ZHEJIANG)
    nation = Principal("reg-cn", frozenset({("regulator", "region:100000")}))
    assert hub.bus.handle(RevealDraw("js-2026-1", seed), nation).reply["selected"] > 0
