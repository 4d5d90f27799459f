"""Two certification bodies with a staff account for every role, two organisations, body signing
keys and a document store: the world the browser walk and the access matrix run in.

The accounts are those of tests/e2e/conftest.py (``api``): root, admin1, rev, plan, lead, dec,
dec2 and client, all with the same password; ``lead`` is also a registered, qualified auditor of
cb1 and ``far`` one of cb2, so both bodies can audit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI

from qcert.bootstrap import Services
from qcert.credentials import multibase_public_key
from qcert.credentials.keystore import KeyStore
from qcert.ledger import Ledger
from qcert.lifecycle import (
    AddBodyKey,
    ApplyForCertification,
    CompleteAudit,
    Decide,
    GrantBodyScope,
    OpenAccount,
    PlanAudit,
    QualifyAuditor,
    RegisterAuditor,
    RegisterBody,
    RegisterClient,
    ReviewContract,
    TechnicalReview,
)
from qcert.lifecycle.commands import GiveConsent, UploadDocument
from qcert.server import create_app
from qcert.store import tables as t
from qcert.store.documents import DocumentStore
from tests.clock import ScenarioClock
from tests.e2e.conftest import ACCOUNTS, PASSWORD
from tests.integration.lifecycle.conftest import SITES
from tests.services import SYSTEM, make_services

__all__ = [
    "ACCOUNTS",
    "BODIES",
    "CLIENTS",
    "ISO9001",
    "PASSWORD",
    "Staffed",
    "staff",
]

ISO9001 = "urn:qcert:scheme:iso9001:2015"
PRODUCT = "urn:qcert:scheme:product:generic"
# Names no other record shares, so a page that shows one has shown that body's data.
BODIES = {
    "cb1": ("东方质量认证中心", "Eastern Quality Certification Centre"),
    "cb2": ("西岭认证有限公司", "Xiling Certification Company"),
}
_SITES = {
    "c1": SITES,
    "c2": [
        {
            "id": "works",
            "name": "南山厂区",
            "address": "深圳市南山区远方路9号",
            "adcode": "440305",
            "lat": 22.53,
            "lon": 113.93,
            "central": True,
        }
    ],
}
CLIENTS = {
    "c1": ("91110108551385082Q", "示例精密制造有限公司", "Example Precision Manufacturing"),
    "c2": ("91440300708461136T", "远方精工有限公司", "Faraway Precision Works"),
}
_AUDITORS = {"cb1": "lead", "cb2": "far"}
HOST = "testserver"


@dataclass
class Staffed:
    """The wired services over the store, and the commands run to fill it."""

    services: Services

    @property
    def engine(self) -> sa.Engine:
        return self.services.engine

    @property
    def keys(self) -> KeyStore:
        return self.services.keys

    @property
    def documents(self) -> DocumentStore:
        return self.services.documents

    @property
    def ledger(self) -> Ledger:
        return self.services.ledger

    def run(self, cmd: Any) -> list[int]:
        """Run ``cmd`` through the bus as the platform itself (this is the world's setup)."""
        return self.services.bus.handle(cmd, SYSTEM).indices

    def app(self, schedule: bool = True) -> FastAPI:
        """The application over this world: grants issue credentials, uploads are kept, and
        (served) checkpoints are signed every few seconds."""
        return create_app(self.services, schedule=schedule)

    def events(self) -> int:
        """How many events the ledger's projections hold."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar_one()

    def apply(self, cid: str, body: str, client: str) -> None:
        """``client``'s application to ``body`` for ISO 9001 at all its sites."""
        sites = [s["id"] for s in _SITES[client]]
        self.run(ApplyForCertification(cid, body, client, ISO9001, [17], sites))

    def certify(
        self, cid: str, body: str, client: str, number: str, on: date, applied: bool = False
    ) -> None:
        """Take a certification from application (unless ``applied`` already) to a granted
        certificate on ``on``."""
        sites = [s["id"] for s in _SITES[client]]
        auditor = _AUDITORS[body]
        decider = "dec" if body == "cb1" else "dec2"
        if not applied:
            self.apply(cid, body, client)
        self.run(ReviewContract(cid, "rev"))
        team = [{"auditor": auditor, "role": "lead"}]
        self.run(PlanAudit(cid, "s1", "stage1", team, "FS01", on, on, 1.0, sites[:1]))
        self.run(CompleteAudit(cid, "s1", 1.0, on))
        self.run(PlanAudit(cid, "s2", "stage2", team, "FS01", on, on, 9.0, sites))
        self.run(CompleteAudit(cid, "s2", 9.0, on))
        self.run(TechnicalReview(cid, "rev", "grant"))
        self.run(Decide(cid, decider, "grant", on, number, f"精密零件的生产 {number}"))

    def upload(self, client: str, filename: str, data: bytes, given_for: str | None = None) -> str:
        """A document of ``client`` (for certification ``given_for``, whose body may read it)
        in the store and on the ledger; its SHA-256."""
        sha256 = hashlib.sha256(data).hexdigest()
        self.run(
            UploadDocument(
                client,
                sha256,
                filename,
                "text/plain",
                len(data),
                "质量手册",
                "client",
                given_for,
                content=data,
            )
        )
        return sha256


def staff(engine: sa.Engine, root: Path) -> Staffed:
    """Register both bodies (each with a signing key and ISO 9001 sector 17), their auditors,
    both organisations and one account per role."""
    world = Staffed(make_services(engine, root / "data", host=HOST, clock=ScenarioClock()))
    since = datetime(2020, 1, 1, tzinfo=UTC)
    for body, (zh, en) in BODIES.items():
        world.run(RegisterBody(body, f"CNCA-R-2020-{body}", zh, en, "CNAS C001-M"))
        world.run(GrantBodyScope(body, "iso9001", [17, 18], date(2020, 1, 1)))
        key_id, key = world.keys.create(body)
        world.run(AddBodyKey(body, key_id, multibase_public_key(key.public_key()), since))
        auditor = _AUDITORS[body]
        world.run(RegisterAuditor(auditor, f"2020-N1QMS-{auditor}", "审核组长", body))
        world.run(QualifyAuditor(auditor, "iso9001", [17, 18]))
    # cb1 certifies products too (ISO/IEC 17065): type tests, factory inspections.
    world.run(GrantBodyScope("cb1", PRODUCT, [17], date(2020, 1, 1)))
    world.run(QualifyAuditor(_AUDITORS["cb1"], PRODUCT, [17]))
    for client, (uscc, zh, en) in CLIENTS.items():
        first = _SITES[client][0]
        world.run(
            RegisterClient(
                client, uscc, zh, en, first["address"], first["adcode"], 20, _SITES[client]
            )
        )
    for name, roles in ACCOUNTS.items():
        world.run(OpenAccount(name, name, roles, PASSWORD))
    # c1 lets cb1's reviewers file its applications (c2 gave no one its consent).
    world.run(GiveConsent("c1", "cb1", "书面同意 / written consent"))
    return world
