"""A body and a hub in processes of their own: the body reports its certifications by itself,
the hub witnesses its log and takes in each record with its inclusion proof, and a body that
rolls its log back is caught and recorded on the hub's log.

The hub is ``qcert serve`` on its own SQLite file; the body a qcert installation in another data
directory whose witness policy names the hub, reporting with ``qcert exchange report``.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qcert.access import Principal
from qcert.bootstrap import Services, bootstrap
from qcert.cli.main import app
from qcert.config import Settings
from qcert.credentials import multibase_public_key
from qcert.lifecycle import commands as c
from qcert.store import create_engine
from qcert.store import hub as hub_views
from qcert.witnessing import witness_due
from tests.clock import ScenarioClock
from tests.integration.lifecycle.conftest import SITES
from tests.served import qcert_serve

BODY_ORIGIN = "cb1.example/ledger"
SYSTEM = Principal.system("test")
TEAM = [{"auditor": "lead", "role": "lead"}]


def _cli(env: dict[str, str], *args: str, ok: bool = True) -> Any:
    result = CliRunner().invoke(app, list(args), env=env)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def _body(data: Path, policy: Path) -> Services:
    clock = ScenarioClock()
    settings = replace(Settings.from_env(data_dir=data), witness_policy=policy)
    services = bootstrap(settings, clock=clock)
    handle = services.bus.handle

    def following(command: Any, principal: Principal) -> Any:
        clock.follow(command)
        return handle(command, principal)

    services.bus.handle = following  # type: ignore[method-assign]
    return services


def _certify(svc: Services, cid: str, number: str, day: date) -> None:
    run = lambda cmd: svc.bus.handle(cmd, SYSTEM)  # noqa: E731
    run(c.ApplyForCertification(cid, "cb1", "c1", "iso9001", [17], ["hq", "plant"]))
    run(c.ReviewContract(cid, "rev"))
    run(c.PlanAudit(cid, "s1", "stage1", TEAM, "FS01", day, day, 1.5, ["hq"]))
    run(c.CompleteAudit(cid, "s1", 1.5, day))
    later = date(day.year, day.month, day.day + 7)
    run(c.PlanAudit(cid, "s2", "stage2", TEAM, "FS01", later, later, 3.5, ["hq", "plant"]))
    run(c.CheckIn(cid, "s2", "lead", 39.96, 116.30))
    run(c.CompleteAudit(cid, "s2", 3.5, later))
    run(c.TechnicalReview(cid, "rev", "grant"))
    run(c.Decide(cid, "dec", "grant", later, number, "零件生产 / Parts"))


def _world(svc: Services) -> str:
    """A body with one certified organisation; the key it reports with."""
    run = lambda cmd: svc.bus.handle(cmd, SYSTEM)  # noqa: E731
    run(c.RegisterBody("cb1", "CNCA-R-2002-001", "示例认证中心", "Example Cert", "CNAS C001-M"))
    run(c.GrantBodyScope("cb1", "iso9001", [17, 18], date(2020, 1, 1)))
    for person in ("lead", "rev", "dec"):
        run(c.RegisterAuditor(person, f"2020-N1QMS-{person}", "审核员", "cb1"))
        run(c.QualifyAuditor(person, "iso9001", [17]))
    run(c.RegisterClient("c1", "91110108551385082Q", "示例公司", "Co", "北京", "110108", 55, SITES))
    _certify(svc, "cert1", "00125Q0001", date(2025, 3, 3))
    key_id, _ = svc.keys.create("cb1")
    return key_id


@pytest.fixture
def hub(tmp_path: Path):
    env = {"QCERT_DATA_DIR": str(tmp_path / "hub"), "QCERT_DATABASE_URL": ""}
    _cli(env, "init", "--origin", "hub.example/ledger")
    made = json.loads(_cli(env, "witness", "init", "--name", "hub.example/w", "--json").stdout)
    with qcert_serve(env) as (_, port):
        yield env, made["vkey"], f"http://127.0.0.1:{port}"


def _enrol(hub_env: dict[str, str], body_env: dict[str, str], svc: Services, key_id: str) -> None:
    vkeys = [k["vkey"] for k in json.loads(_cli(body_env, "keys", "show", "--json").stdout)]
    key = svc.keys.load("cb1", key_id)
    payload = {
        "body_id": "cb1",
        "name_zh": "示例认证中心",
        "name_en": "Example Cert",
        "region": "110108",
        "origin": BODY_ORIGIN,
        "vkey": "\n".join(vkeys),
        "key_id": key_id,
        "public_key_multibase": multibase_public_key(key.public_key()),
    }
    _cli(hub_env, "lifecycle", "do", "enrol-body", json.dumps(payload))


def _hub_rows(hub_env: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    engine = create_engine(f"sqlite:///{Path(hub_env['QCERT_DATA_DIR']) / 'qcert.db'}")
    with engine.connect() as conn:
        rows = hub_views.record_rows(conn, ["100000"], limit=1000)
        bodies = hub_views.body_rows(conn, ["100000"])
    engine.dispose()
    return rows, bodies


def _enrolled_body(hub: Any, tmp_path: Path) -> tuple[dict[str, str], Path, str]:
    """A body's installation whose witness policy names the hub, its world built, enrolled at
    the hub: its environment, its policy file and the key it reports with."""
    hub_env, hub_vkey, hub_url = hub
    body_env = {"QCERT_DATA_DIR": str(tmp_path / "body"), "QCERT_DATABASE_URL": ""}
    _cli(body_env, "init", "--origin", BODY_ORIGIN)
    policy = tmp_path / "policy"
    policy.write_text(f"witness hub {hub_vkey} {hub_url}/witness\nquorum 1\n")
    svc = _body(tmp_path / "body", policy)
    key_id = _world(svc)
    svc.close()
    _enrol(hub_env, body_env, bootstrap(Settings.from_env(data_dir=tmp_path / "body")), key_id)
    return body_env, policy, key_id


def test_a_body_reports_to_a_hub_that_witnesses_it_and_catches_its_rollback(hub, tmp_path):
    hub_env, _, hub_url = hub
    body_env, policy, key_id = _enrolled_body(hub, tmp_path)

    env = {**body_env, "QCERT_WITNESS_POLICY": str(policy)}
    sent = json.loads(
        _cli(env, "exchange", "report", "cb1", "--hub", hub_url, "--key", key_id, "--json").stdout
    )
    assert sent["rejected"] == [] and sent["problems"] == []
    assert sent["accepted"] == sent["sent"] == 8  # the events a regulator supervises
    rows, bodies = _hub_rows(hub_env)
    kinds = sorted({r["kind"] for r in rows})
    assert kinds == [
        "application",
        "audit-plan",
        "audit-result",
        "certificate",
        "check-in",
        "decision",
    ]
    assert all(r["body_ledger_index"] is not None and r["region"] == "110108" for r in rows)
    assert next(r for r in rows if r["kind"] == "certificate")["record"]["uscc"] == (
        "91110108551385082Q"
    )
    # Again: nothing new to send, nothing new at the hub.
    again = json.loads(
        _cli(env, "exchange", "report", "cb1", "--hub", hub_url, "--key", key_id, "--json").stdout
    )
    assert again["sent"] == 0 and len(_hub_rows(hub_env)[0]) == len(rows)
    assert bodies[0]["refusals"] == []

    # The operator rebuilds the body's store shorter, with the log's own keys, and grows it past
    # what the hub witnessed: the hub refuses the fork and records it on its own log.
    held = bodies[0]["submissions"]
    assert held >= 1
    forged = tmp_path / "forged"
    (forged / "keys").mkdir(parents=True, mode=0o700)
    for name in ("ed25519.skey", "sm2.skey"):
        shutil.copy2(tmp_path / "body" / "keys" / name, forged / "keys" / name)
    liar = _body(forged, policy)
    liar.ledger.append([f"rewritten {i}".encode() for i in range(400)])
    liar.ledger.sign_due()
    report = witness_due(liar.ledger, liar.policy)
    assert report.cosigned == [] and report.problems
    liar.close()
    _, bodies = _hub_rows(hub_env)
    [refusal] = [r for r in bodies[0]["refusals"] if r["origin"] == BODY_ORIGIN]
    assert refusal["offered"] > refusal["held"] > 0
    assert "consistency" in refusal["reason"] or "split view" in refusal["reason"]


def test_a_served_body_reports_by_itself(hub, tmp_path):
    hub_env, _, hub_url = hub
    body_env, policy, key_id = _enrolled_body(hub, tmp_path)
    served = {
        **body_env,
        "QCERT_WITNESS_POLICY": str(policy),
        "QCERT_HUB_URL": hub_url,
        "QCERT_HUB_REPORTERS": f"cb1={key_id}",
    }
    with qcert_serve(served):
        # The round at start reports: the next is ten minutes away. The limit only stops a hung
        # test; it is no performance check (on a busy machine the round takes tens of seconds).
        deadline = time.monotonic() + 180
        while len(_hub_rows(hub_env)[0]) < 8:
            assert time.monotonic() < deadline, "the body did not report within 180 s"
            time.sleep(0.5)
    assert {r["body_id"] for r in _hub_rows(hub_env)[0]} == {"cb1"}
