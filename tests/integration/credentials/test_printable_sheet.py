"""What the printed certificate states, read from the store after a grant, a scope change and a
renewal."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from qcert.credentials import multibase_public_key
from qcert.credentials.printable import CertificateNotFound, NoCredential, certificate_sheet
from qcert.lifecycle import ChangeScope, CompleteAudit, Decide, PlanAudit, TechnicalReview
from qcert.lifecycle.commands import AddBodyKey
from qcert.store import tables as t
from tests.integration.lifecycle.conftest import TEAM, bus, certify, world  # noqa: F401
from tests.services import make_services, system_bus


@pytest.fixture
def run(world, engine, tmp_path, clock):  # noqa: F811
    services = make_services(engine, tmp_path / "services", host="cert.example", clock=clock)
    key_id, key = services.keys.create("cb1")
    run = system_bus(services)
    run(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2020, 1, 1, tzinfo=UTC)
        )
    )
    return run


def test_the_sheet_has_dates_sites_body_and_the_newest_credential(run, engine):
    certify(run, on=date(2020, 3, 1))
    run(ChangeScope("cert1", "reduce", "零件 / Parts", ["hq", "plant"], date(2021, 5, 1)))
    visit = ["hq", "plant"]
    run(
        PlanAudit(
            "cert1", "rc", "recertification", TEAM, "FS01", *[date(2022, 12, 1)] * 2, 3.5, visit
        )
    )
    run(CompleteAudit("cert1", "rc", 3.5, date(2022, 12, 1)))
    run(TechnicalReview("cert1", "rev1", "renew"))
    run(Decide("cert1", "dec2", "renew", date(2023, 1, 10)))
    with engine.connect() as conn:
        sheet = certificate_sheet(conn, "00123Q0001")
        newest = conn.execute(
            sa.select(t.credentials.c.sha256).order_by(t.credentials.c.ledger_index.desc())
        ).scalar()
    assert sheet["sha256"] == newest
    assert sheet["milestones"] == [
        {"event": "reduced", "on": "2021-05-01"},
        {"event": "renewed", "on": sheet["issue_date"]},
    ]
    assert sheet["original_issue_date"] == "2020-03-01" and sheet["issue_date"] > "2023-01-01"
    assert [(s["name"], s["address"], s["scope"]) for s in sheet["sites"]] == [
        ("总部", "北京市海淀区示例路1号", "零件 / Parts"),
        ("工厂", "天津市滨海新区示例路2号", "零件 / Parts"),
    ]
    assert sheet["organisation"]["address"] == "北京市海淀区示例路1号"
    assert sheet["body"]["accreditation"] == "CNAS C001-M"
    assert not sheet["withheld"]


def test_unknown_numbers_and_certificates_without_a_credential_are_refused(world, engine):  # noqa: F811
    certify(world)
    with engine.connect() as conn:
        with pytest.raises(CertificateNotFound, match=r"^number: no certificate 'NOPE'$"):
            certificate_sheet(conn, "NOPE")
        with pytest.raises(NoCredential, match="00123Q0001 has no signed credential yet"):
            certificate_sheet(conn, "00123Q0001")
