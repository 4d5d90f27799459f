"""A world for the public pages: a valid, a suspended and a withdrawn certificate, each issued
as a signed credential, and forged and tampered copies of the valid one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from qcert.bootstrap import Services
from qcert.credentials import multibase_public_key
from qcert.credentials.certificate import sign_credential
from qcert.credentials.commands import IssueCredential
from qcert.ledger.storage import SqlLedgerStorage
from qcert.lifecycle import AddBodyKey, SuspendCertificate, WithdrawCertificate
from qcert.store import tables as t
from tests.integration.lifecycle.conftest import apply, bus, certify, world  # noqa: F401
from tests.services import make_services, system_bus

HOST = "verify.example"

# Page tests whose reads and writes the store's own tests already run on both databases
# (tests/integration: casework, notices, directory views, bookings, numbers) run on SQLite
# only: a page does the same on either, and the PostgreSQL copies doubled the suite's time
# for them. Pages whose SQL is their own (search, the public pages, the workspace's older
# pages) keep both.
SQLITE_ONLY = {
    "test_case_pages.py",
    "test_case_steps.py",
    "test_client_forms.py",
    "test_notice_pages.py",
    "test_people_pages.py",
    "test_planning_pages.py",
    "test_portal_feedback.py",
    "test_words_pages.py",
    "test_wrong_principals.py",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the PostgreSQL copies of the SQLITE_ONLY modules' tests."""
    dropped = [
        item
        for item in items
        if item.path.name in SQLITE_ONLY
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("database_url") == "postgresql"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in set(dropped)]


@dataclass(frozen=True)
class Certified:
    """What the pages are tested against: credentials and their hashes by certificate number."""

    engine: sa.Engine
    credentials: dict[str, dict[str, Any]]
    sha256: dict[str, str]
    services: Services

    def forged_by_another_body(self) -> dict[str, Any]:
        return {**self.credentials["N-V"], "issuer": f"did:web:{HOST}:bodies:cb2"}

    def forged_with_another_key(self) -> dict[str, Any]:
        unsigned = {k: v for k, v in self.credentials["N-V"].items() if k != "proof"}
        issuer = unsigned["issuer"]
        return sign_credential(unsigned, Ed25519PrivateKey.generate(), f"{issuer}#forged")

    def tampered(self) -> dict[str, Any]:
        return {**self.credentials["N-V"], "validUntil": "2099-12-31T23:59:59Z"}


def _issued(engine: sa.Engine) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    storage = SqlLedgerStorage(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.credentials)).mappings().all()
    credentials = {r["number"]: json.loads(storage.entry(r["ledger_index"])) for r in rows}
    return credentials, {r["number"]: r["sha256"] for r in rows}


@pytest.fixture
def certified(world, engine, tmp_path, clock) -> Certified:  # noqa: F811
    services = make_services(engine, tmp_path / "services", host=HOST, clock=clock)
    key_id, key = services.keys.create("cb1")
    run = system_bus(services)
    since = datetime(2020, 1, 1, tzinfo=UTC)
    run(AddBodyKey("cb1", key_id, multibase_public_key(key.public_key()), since))
    today = datetime.now(UTC).date()
    for cid in ("v", "s", "w"):
        apply(world, cid)  # one organisation's three applications, filed before any grant
    for cid in ("v", "s", "w"):
        on = date(today.year - 1, today.month, 1)
        certify(world, cid, on=on, number=f"N-{cid.upper()}", applied=True)
        run(IssueCredential(cid))
    world(SuspendCertificate("s", "r", today))
    world(WithdrawCertificate("w", "r", today))
    credentials, sha256 = _issued(engine)
    return Certified(engine, credentials, sha256, services)
