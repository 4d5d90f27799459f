"""An API over a small world with one account per role, on each test database."""

from datetime import date

import pytest
from fastapi.testclient import TestClient

from qcert import security
from qcert.lifecycle import (
    GrantBodyScope,
    OpenAccount,
    QualifyAuditor,
    RegisterAuditor,
    RegisterBody,
    RegisterClient,
)
from qcert.server import create_app
from tests.services import make_services, system_bus

PASSWORD = "correct horse battery"
HOST = "api.example"  # the installation's public host (its bodies' did:web domain)
SITE = {"id": "hq", "name": "HQ", "address": "北京", "adcode": "110108", "lat": 39.9, "lon": 116.3}
TEAM = [{"auditor": "lead", "role": "lead"}]
# One account per role: cb1's staff, one decision maker of cb2, c1's user and administrator.
ACCOUNTS: dict[str, list[str]] = {
    "root": ["platform-admin@platform"],
    "admin1": ["cb-admin@body:cb1"],
    "rev": ["application-reviewer@body:cb1", "technical-reviewer@body:cb1"],
    "plan": ["planner@body:cb1"],
    "lead": ["auditor@body:cb1"],
    "dec": ["decision-maker@body:cb1"],
    "dec2": ["decision-maker@body:cb2"],
    "client": ["client-user@client:c1"],
    "cadmin": ["client-admin@client:c1"],
}


_HASHES: dict[str, str] = {}


@pytest.fixture
def services(engine, tmp_path, clock):
    """The wired services over the test database (keys made in a temporary folder), on a
    clock the tests' scenarios drive."""
    svc = make_services(engine, tmp_path / "data", host=HOST, clock=clock)
    yield svc
    svc.schedule.stop()


@pytest.fixture
def api(services, monkeypatch):
    # argon2id is slow by design; every account here shares one password, so hash it once
    # per run (the hash is still a real argon2id hash that sign-in verifies).
    real = security.hash_password
    monkeypatch.setattr(
        security, "hash_password", lambda pw: _HASHES.get(pw) or _HASHES.setdefault(pw, real(pw))
    )

    bus = system_bus(services)
    for body in ("cb1", "cb2"):
        bus(RegisterBody(body, f"A-{body}", "机构", "Body", "CNAS"))
        bus(GrantBodyScope(body, "iso9001", [17], date(2020, 1, 1)))
    bus(RegisterAuditor("lead", "R1", "组长", "cb1"))
    bus(QualifyAuditor("lead", "iso9001", [17]))
    bus(RegisterClient("c1", "91110108551385082Q", "公司", "Co", "北京", "110108", 20, [SITE]))
    for name, roles in ACCOUNTS.items():
        bus(OpenAccount(name, name, roles, PASSWORD))
    client = TestClient(create_app(services, schedule=False))

    def as_(who):
        token = client.post("/api/v1/auth/token", json={"username": who, "password": PASSWORD})
        assert token.status_code == 200, token.text
        return {"Authorization": f"Bearer {token.json()['access_token']}"}

    return client, as_


def cli_at(data_dir, database_url: str, monkeypatch):
    """The command line on ``database_url`` with its data under ``data_dir``, initialised:
    ``run(*args, ok=True, input=None)`` invokes it and, with ``ok``, asserts it succeeded."""
    from typer.testing import CliRunner

    from qcert.cli.main import app

    monkeypatch.setenv("QCERT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("QCERT_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args, ok=True, input=None):
        result = runner.invoke(app, [str(a) for a in args], input=input)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run("init", "--origin", "cli.test/ledger")
    return run
