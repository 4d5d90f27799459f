"""A small world to certify in: two bodies, qualified auditors, a client with two sites."""

from __future__ import annotations

from datetime import date
from hashlib import sha256

import pytest

from qcert.lifecycle import (
    ApplyForCertification,
    CloseFinding,
    CompleteAudit,
    Decide,
    GrantBodyScope,
    PlanAudit,
    QualifyAuditor,
    RegisterAuditor,
    RegisterBody,
    RegisterClient,
    ReviewContract,
    TechnicalReview,
    handle,
)
from qcert.lifecycle.identifiers import uscc_check_char
from qcert.store.documents import DocumentStore
from qcert.store.uow import UnitOfWork
from qcert.worldgen.clients import organisation_code

SITES = [
    {
        "id": "hq",
        "name": "总部",
        "address": "北京市海淀区示例路1号",
        "adcode": "110108",
        "lat": 39.96,
        "lon": 116.30,
        "central": True,
    },
    {
        "id": "plant",
        "name": "工厂",
        "address": "天津市滨海新区示例路2号",
        "adcode": "120116",
        "lat": 39.03,
        "lon": 117.71,
    },
]
# An organisation that asked for confidentiality: the public sees only what CertSearch shows.
CONFIDENTIAL = RegisterClient(
    "secret",
    "91440300708461136T",
    "保密公司",
    "Private Co",
    "深圳",
    "440305",
    10,
    [SITES[0]],
    confidential=True,
)


@pytest.fixture
def bus(engine, tmp_path, clock):
    """Commands straight to the domain's handlers (the rules under test), as ``tester``, each
    recorded on the day it names; the access policy and the bus are tested on their own.
    ``run(cmd, follow=False)`` records it at the clock as it stands."""
    documents = DocumentStore(tmp_path / "docs")

    def run(cmd, follow=True):
        if follow:
            clock.follow(cmd)
        return handle(cmd, UnitOfWork(engine, actor="tester", documents=documents, clock=clock))

    return run


@pytest.fixture
def world(bus):
    for body in ("cb1", "cb2"):
        bus(
            RegisterBody(
                body, f"CNCA-R-2002-{body}", "示例认证中心", "Example Certification", "CNAS C001-M"
            )
        )
        bus(GrantBodyScope(body, "iso9001", [17, 18, 19], date(2020, 1, 1)))
    for person in ("lead1", "aud1", "rev1", "dec1", "dec2", "handler1"):
        bus(RegisterAuditor(person, f"2020-N1QMS-{person}", "审核员", "cb1"))
        bus(QualifyAuditor(person, "iso9001", [17, 18]))
    bus(
        RegisterClient(
            "c1",
            "91110108551385082Q",
            "示例精密制造有限公司",
            "Example Precision Manufacturing",
            "北京市海淀区示例路1号",
            "110108",
            55,
            SITES,
        )
    )
    return bus


TEAM = [{"auditor": "lead1", "role": "lead"}, {"auditor": "aud1", "role": "auditor"}]


def certify(
    bus,
    cid: str = "cert1",
    on: date = date(2023, 3, 1),
    number: str = "00123Q0001",
    client: str = "c1",
    applied: bool = False,
) -> None:
    """Run an initial certification to a granted certificate, decided on ``on`` (from its
    application, unless ``applied`` already)."""
    if not applied:
        apply(bus, cid, client)
    bus(ReviewContract(cid, "rev1"))
    s1, s2 = date(on.year, on.month, 1), on
    bus(PlanAudit(cid, "s1", "stage1", TEAM, "FS01", s1, s1, 1.5, ["hq"]))
    bus(CompleteAudit(cid, "s1", 1.5, s1))
    bus(PlanAudit(cid, "s2", "stage2", TEAM, "FS01", s2, s2, 3.5, ["hq", "plant"]))
    bus(CompleteAudit(cid, "s2", 3.5, s2))
    bus(TechnicalReview(cid, "rev1", "grant"))
    bus(
        Decide(
            cid, "dec1", "grant", on, number, "精密机械零件的生产 / Production of precision parts"
        )
    )


def apply(bus, cid: str, client: str = "c1") -> None:
    """``client``'s application to cb1 for ISO 9001 at both sites. An organisation holding a
    live certificate applies for no second one at the same body, so a world that certifies one
    organisation several times files those applications first."""
    bus(ApplyForCertification(cid, "cb1", client, "iso9001", [17], ["hq", "plant"]))


def register_client(bus, client_id: str, seed: str) -> None:
    """Another organisation like ``c1``, its credit code made from ``seed``."""
    digits = int(sha256(seed.encode()).hexdigest(), 16) % 10**8
    first = "91110108" + organisation_code(f"{digits:08d}")
    bus(
        RegisterClient(
            client_id,
            first + uscc_check_char(first),
            "示例公司",
            "Example Co",
            "北京市海淀区示例路1号",
            "110108",
            55,
            SITES,
        )
    )


__all__ = ["SITES", "TEAM", "CloseFinding", "apply", "certify", "register_client"]
