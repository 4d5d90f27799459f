"""Real-time evidence over HTTP and the command line: a device gateway sends its readings with
its organisation user's API key and gets a verdict per item; the wrong principal is refused on
every route; a reading's proof comes back and verifies offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from qcert.evidence.commands import RegisterDevice
from qcert.lifecycle import IssueApiKey, OpenAccount, RegisterClient
from tests.e2e.conftest import PASSWORD, SITE, cli_at
from tests.services import SYSTEM

AT = datetime(2025, 6, 1, 2, tzinfo=UTC)


def _item(seq: int, temp: float = 50.0, device: str = "oven") -> dict:
    at = (AT + timedelta(seconds=seq)).isoformat()
    return {
        "device": device,
        "units": {"temp": "degC"},
        "seq": seq,
        "time": at,
        "values": {"temp": temp},
    }


@pytest.fixture
def world(api, services, clock):
    client, as_ = api
    run = lambda cmd: services.bus.handle(cmd, SYSTEM)  # noqa: E731
    run(RegisterClient("c2", "91440300708461136T", "公司二", "Co2", "深圳", "440305", 9, [SITE]))
    run(OpenAccount("other", "other", ["client-user@client:c2"], PASSWORD))
    run(RegisterDevice("oven", "c1", "sensor", [{"name": "temp", "unit": "degC"}]))
    key = services.bus.handle(IssueApiKey("client", "gateway"), _who(services, "client"))
    clock.set(AT + timedelta(seconds=30))
    return client, as_, {"X-API-Key": key.reply["api_key"]}


def _who(services, account):
    from qcert.access import Principal

    roles = {"client": [("client-user", "client:c1")]}[account]
    return Principal(account, frozenset(roles))


def test_a_gateway_sends_readings_and_gets_a_verdict_per_item(world):
    client, _, key = world
    items = [_item(0), _item(1), _item(1), {"device": "oven"}, _item(0, temp=1.0)]
    answer = client.post("/evidence/v1/readings", json=items, headers=key)
    assert answer.status_code == 200, answer.text
    verdicts = answer.json()["verdicts"]
    assert [v["status"] for v in verdicts] == [
        "stored",
        "stored",
        "duplicate",
        "refused",
        "refused",
    ]
    assert [v["code"] for v in verdicts[3:]] == ["evidence.schema", "evidence.replayed"]
    again = client.post("/evidence/v1/readings", json=items[:2], headers=key).json()
    assert [v["status"] for v in again["verdicts"]] == ["duplicate", "duplicate"]


def test_a_batch_that_is_no_array_is_refused_whole(world):
    client, _, key = world
    assert client.post("/evidence/v1/readings", content=b"{}", headers=key).status_code == 422
    many = [_item(n) for n in range(1001)]
    assert client.post("/evidence/v1/readings", json=many, headers=key).status_code == 422
    assert client.post("/evidence/v1/readings", content=b"[", headers=key).status_code == 422


def test_the_wrong_principal_cannot_send_readings(world):
    client, as_, _ = world
    items = [_item(0)]
    assert client.post("/evidence/v1/readings", json=items).status_code == 401
    assert client.post("/evidence/v1/readings", json=items, headers=as_("lead")).status_code == 403
    refused = client.post("/evidence/v1/readings", json=items, headers=as_("other"))
    assert refused.status_code == 403 and refused.json()["error"]["rule"] == "access.evidence"
    assert (
        client.post("/evidence/v1/readings", json=items, headers=as_("cadmin")).status_code == 200
    )


def test_readings_and_proofs_for_those_who_read_the_organisation(world, services):
    client, as_, key = world
    client.post("/evidence/v1/readings", json=[_item(2), _item(0), _item(1)], headers=key)
    url = "/evidence/v1/devices/oven/readings"
    got = client.get(url, params={"start": AT.isoformat()}, headers=as_("cadmin"))
    assert [r["seq"] for r in got.json()["readings"]] == [0, 1, 2]
    assert client.get(url).status_code == 401
    assert client.get(url, headers=as_("other")).status_code == 403
    assert client.get(url, headers=as_("dec2")).status_code == 403  # another body
    assert client.get("/evidence/v1/devices/none/readings", headers=as_("root")).status_code == 404
    proof_url = url + "/1/proof"
    assert client.get(proof_url, headers=as_("client")).status_code == 409  # not anchored yet
    # the oven sends nothing after 02:00: its window (ends 02:01) is anchored once the clock is
    # past its end plus the idle allowance (5 minutes)
    assert services.intake.anchor_due(AT + timedelta(minutes=6)) == 1
    services.ledger.sign_due()
    assert client.get(proof_url, headers=as_("other")).status_code == 403
    proof = client.get(proof_url, headers=as_("client"))
    assert proof.status_code == 200
    from qcert.evidence.window import verify_reading_proof

    keys = [v.vkey() for v in services.ledger.verifiers()]
    assert verify_reading_proof(proof.json(), keys).seq == 1
    late = client.post("/evidence/v1/readings", json=[_item(9)], headers=key).json()
    assert late["verdicts"][0]["code"] == "evidence.late"


def test_dead_letters_are_the_organisations_own(world):
    client, as_, key = world
    client.post("/evidence/v1/readings", json=[{"device": "oven", "units": {}}], headers=key)
    mine = client.get("/evidence/v1/dead-letters", headers=as_("cadmin")).json()["dead_letters"]
    assert [d["code"] for d in mine] == ["evidence.schema"]
    assert client.get("/evidence/v1/dead-letters", headers=as_("other")).json() == {
        "dead_letters": []
    }
    assert client.get("/evidence/v1/dead-letters", headers=as_("lead")).status_code == 403
    assert client.get("/evidence/v1/dead-letters").status_code == 401


def test_the_schema_is_public_and_the_published_copy(api):
    from pathlib import Path

    client, _ = api
    published = Path(__file__).parents[2] / "docs" / "evidence" / "reading-v1.schema.json"
    assert client.get("/evidence/v1/schema").json() == json.loads(published.read_text())


# .. the command line ..........................................................


@pytest.fixture
def qcert(tmp_path, database_url, monkeypatch):
    run = cli_at(tmp_path / "data", database_url, monkeypatch)
    return run


def test_the_command_line_registers_anchors_proves_and_verifies(qcert, tmp_path, database_url):
    from qcert.bootstrap import bootstrap
    from qcert.config import Settings

    refused = qcert(
        "evidence", "device", "add", "oven", "--client", "c1", "--var", "t:degC", ok=False
    )
    assert (
        refused.exit_code == 1 and "access.role" in refused.output
    )  # the operator is no user of c1
    svc = bootstrap(Settings.from_env())
    run = lambda cmd: svc.bus.handle(cmd, SYSTEM)  # noqa: E731
    run(RegisterClient("c1", "91110108551385082Q", "公司", "Co", "北京", "110108", 20, [SITE]))
    run(OpenAccount("cadmin", "cadmin", ["client-admin@client:c1"], PASSWORD))
    svc.close()
    qcert("login", "cadmin", "--password-stdin", input=PASSWORD + "\n")
    added = qcert(
        "evidence", "device", "add", "oven", "--client", "c1", "--var", "t:degC:0:100", "--json"
    )
    assert json.loads(added.stdout)["device"] == "oven"
    listed = json.loads(qcert("evidence", "device", "list", "--json").stdout)["devices"]
    assert listed[0]["variables"] == [{"name": "t", "unit": "degC", "lower": 0, "upper": 100}]
    svc = bootstrap(Settings.from_env())
    from qcert.evidence.intake import Message

    sent = json.dumps(
        {
            "device": "oven",
            "units": {"t": "degC"},
            "seq": 0,
            "time": AT.isoformat(),
            "values": {"t": 3},
        }
    )
    svc.intake.take(
        [Message("qcert/v1/c1/oven/x", sent.encode(), AT), Message("qcert/v1/c1/oven/x", b"[]", AT)]
    )
    svc.close()
    dead = json.loads(qcert("evidence", "dead-letters", "--json").stdout)["dead_letters"]
    assert [d["code"] for d in dead] == ["evidence.schema"]
    assert qcert("evidence", "anchor", ok=False).exit_code == 1  # a platform administrator's
    qcert("logout")  # the installation's operator (a platform administrator) acts again
    assert json.loads(qcert("evidence", "anchor", "--json").stdout)["anchored"] == 1
    svc = bootstrap(Settings.from_env())
    later = json.loads(sent) | {"seq": 1, "time": (AT + timedelta(minutes=2)).isoformat()}
    svc.intake.take([Message("qcert/v1/c1/oven/x", json.dumps(later).encode(), AT)])
    svc.close()
    going_on = qcert("evidence", "anchor", "--every", "0.1", "--passes", "3", "--json")
    assert json.loads(going_on.stdout) == {"anchored": 1, "passes": 3}
    assert qcert("evidence", "anchor", "--passes", "0", ok=False).exit_code == 2
    qcert("login", "cadmin", "--password-stdin", input=PASSWORD + "\n")
    proof = tmp_path / "proof.json"
    proof.write_text(qcert("evidence", "proof", "oven", "0", "--json").stdout)
    checked = json.loads(qcert("evidence", "verify", proof, "--json").stdout)
    assert checked["verified"] and checked["seq"] == 0 and not checked["pinned"]
    doc = json.loads(proof.read_text())
    doc["reading"] = doc["reading"].replace('"t":3', '"t":4')
    proof.write_text(json.dumps(doc))
    assert qcert("evidence", "verify", proof, ok=False).exit_code == 1
