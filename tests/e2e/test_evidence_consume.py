"""``qcert evidence consume``: the platform's daemon only; its session outlives it, so what is
published while it is away is taken at its next start, and it stops after N messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from qcert.evidence.commands import RegisterDevice
from qcert.lifecycle import OpenAccount, RegisterClient
from tests.e2e.conftest import PASSWORD, SITE, cli_at
from tests.integration.evidence.conftest import started_broker
from tests.mqtt_broker import Publisher
from tests.services import SYSTEM


@pytest.fixture
def qcert(tmp_path, monkeypatch):
    run = cli_at(tmp_path / "data", f"sqlite:///{tmp_path / 'q.db'}", monkeypatch)
    from qcert.bootstrap import bootstrap
    from qcert.config import Settings

    svc = bootstrap(Settings.from_env())
    do = lambda cmd: svc.bus.handle(cmd, SYSTEM)  # noqa: E731
    do(RegisterClient("c1", "91110108551385082Q", "公司", "Co", "北京", "110108", 20, [SITE]))
    do(OpenAccount("cadmin", "cadmin", ["client-admin@client:c1"], PASSWORD))
    do(RegisterDevice("oven", "c1", "sensor", [{"name": "t", "unit": "degC"}]))
    svc.close()
    return run


@pytest.fixture
def private_broker(tmp_path):
    yield from started_broker(tmp_path)


def _message(seq: int) -> bytes:
    now = datetime.now(UTC).isoformat()
    reading = {"seq": seq, "time": now, "values": {"t": 20.0 + seq}}
    return json.dumps({"device": "oven", "units": {"t": "degC"}, "readings": [reading]}).encode()


WRITER = pytest.mark.parametrize("writer", [[], ["--writer-process"]], ids=["one", "writer"])


@WRITER
def test_only_a_platform_administrator_runs_the_consumer(qcert, private_broker, writer):
    qcert("login", "cadmin", "--password-stdin", input=PASSWORD + "\n")
    refused = qcert("evidence", "consume", "--broker", private_broker.url, *writer, ok=False)
    assert refused.exit_code == 1 and "access.operation" in refused.output
    assert "platform administrator" in refused.output and "平台管理员" in refused.output


def test_a_broker_url_that_cannot_be_used_is_refused_naming_the_option(qcert):
    refused = qcert("evidence", "consume", "--broker", "http://h:1883", ok=False)
    assert refused.exit_code == 1 and "QCERT_MQTT_URL" in refused.output


@WRITER
def test_what_is_published_while_the_consumer_is_away_is_taken_at_its_next_start(
    qcert, private_broker, writer
):
    where = ["--broker", private_broker.url, "--group", "", "--client-id", "qcert-e2e", *writer]
    # A first run makes the session and its subscription, then stops when idle.
    first = qcert("evidence", "consume", *where, "--once-idle", "0.5", "--json")
    assert json.loads(first.stdout)["messages"] == 0
    publisher = Publisher(private_broker.port)
    for seq in range(3):
        publisher.publish("qcert/v1/c1/oven/line", _message(seq), seq)
    publisher.publish("qcert/v1/c1/oven/line", b"{not json", "bad")
    publisher.wait()
    publisher.close()
    assert sorted(publisher.acked, key=str) == [0, 1, 2, "bad"]
    second = qcert("evidence", "consume", *where, "--max-messages", "4", "--json")
    counts = json.loads(second.stdout)
    assert (counts["messages"], counts["acked"], counts["stored"]) == (4, 4, 3)
    assert counts["refusals"] == {"evidence.json": 1}
