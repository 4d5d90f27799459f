"""The printable certificate through its faces: `GET /public/certificates/{number}/pdf` and
`qcert lifecycle certificate-pdf`, read back from the PDF's text and its QR code."""

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qcert.cli.main import app
from qcert.credentials import multibase_public_key
from qcert.credentials.commands import IssueCredential
from qcert.credentials.printable import verification_url
from qcert.lifecycle import (
    AddBodyKey,
    ApplyForCertification,
    ChangeScope,
    CompleteAudit,
    Decide,
    PlanAudit,
    ReviewContract,
    SuspendCertificate,
    TechnicalReview,
)
from qcert.server import create_app
from qcert.store import tables as t
from tests.integration.lifecycle.conftest import (  # noqa: F401
    CONFIDENTIAL,
    SITES,
    bus,
    certify,
    world,
)
from tests.pdfs import pdf_text, qr_codes
from tests.services import make_services, system_bus

TODAY = datetime.now(UTC).date()
HOST = "testserver"


@pytest.fixture
def services(engine, tmp_path, clock):
    return make_services(engine, tmp_path / "services", host=HOST, clock=clock)


@pytest.fixture
def issue(world, services):  # noqa: F811
    """Certify ``N-A`` (client c1, two sites) and issue its credential; returns an issuer."""
    key_id, key = services.keys.create("cb1")
    run = system_bus(services)
    run(
        AddBodyKey(
            "cb1", key_id, multibase_public_key(key.public_key()), datetime(2020, 1, 1, tzinfo=UTC)
        )
    )
    certify(world, "a", on=date(TODAY.year - 1, TODAY.month, 1), number="N-A")

    def credential(certification_id="a"):
        run(IssueCredential(certification_id))

    credential()
    return credential


@pytest.fixture
def client(issue, services):
    return TestClient(create_app(services, schedule=False))


def _newest_hash(engine, number):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(t.credentials.c.sha256)
            .where(t.credentials.c.number == number)
            .order_by(t.credentials.c.ledger_index.desc())
        ).scalar()


def test_the_public_pdf_states_the_certificate_and_holds_its_verification_url(client, engine):
    answer = client.get("/public/certificates/N-A/pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == 'inline; filename="certificate-N-A.pdf"'
    text = pdf_text(answer.content)
    for expected in (
        "管理体系认证证书",
        "Management System Certificate",
        "证书编号 Certificate number: N-A",
        "ISO 9001:2015",
        "示例精密制造有限公司",
        "91110108551385082Q",
        "CNAS C001-M",
        "精密机械零件的生产 / Production of precision parts",
    ):
        assert expected in text, expected
    for site in SITES:
        assert site["name"] in text and site["address"] in text
    assert qr_codes(answer.content) == [
        verification_url("testserver", "N-A", _newest_hash(engine, "N-A"))
    ]


def test_the_qr_code_follows_the_newest_credential(client, engine, issue, world):  # noqa: F811
    first = _newest_hash(engine, "N-A")
    world(ChangeScope("a", "reduce", "精密零件 / Precision parts", ["hq"], TODAY))
    issue()
    newest = _newest_hash(engine, "N-A")
    assert newest != first
    shown = qr_codes(client.get("/public/certificates/N-A/pdf").content)
    assert shown == [verification_url("testserver", "N-A", newest)]


def test_an_unknown_number_is_a_404_json_error(client):
    answer = client.get("/public/certificates/NOPE/pdf")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert answer.json()["error"]["message"] == "number: no certificate 'NOPE'"


def test_a_suspended_certificate_prints_as_suspended(client, world):  # noqa: F811
    world(SuspendCertificate("a", "r", TODAY))
    text = pdf_text(client.get("/public/certificates/N-A/pdf").content)
    assert "SUSPENDED / 已暂停" in text and "暂停期限至 Suspended until" in text


def test_a_confidential_clients_public_pdf_withholds_its_sites(client, world, issue, clock):  # noqa: F811
    world(CONFIDENTIAL)
    day = clock().date()  # the world's clock has moved past its other records
    world(ApplyForCertification("s", "cb1", "secret", "iso9001", [17], ["hq"]))
    world(ReviewContract("s", "rev1"))
    lead = [{"auditor": "lead1", "role": "lead"}]
    world(PlanAudit("s", "s1", "stage1", lead, "FS02", day, day, 1, ["hq"]))
    world(CompleteAudit("s", "s1", 1, day))
    world(PlanAudit("s", "s2", "stage2", lead, "FS01", day, day, 3, ["hq"]))
    world(CompleteAudit("s", "s2", 3, day))
    world(TechnicalReview("s", "rev1", "grant"))
    world(Decide("s", "dec1", "grant", day, "N-S", "scope"))
    issue("s")
    text = pdf_text(client.get("/public/certificates/N-S/pdf").content)
    assert "保密公司" in text and "N-S" in text
    assert "withheld at the organisation's request" in text
    assert "91440300708461136T" not in text and SITES[0]["address"] not in text


def test_a_certificate_without_a_credential_is_refused(world, services):  # noqa: F811
    certify(world, "b", number="N-B")
    client = TestClient(create_app(services, schedule=False))
    answer = client.get("/public/certificates/N-B/pdf")
    assert answer.status_code == 409
    assert "has no signed credential yet" in answer.json()["error"]["message"]


@pytest.fixture
def qcert(database_url, tmp_path, monkeypatch, request):
    monkeypatch.setenv("QCERT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QCERT_DATABASE_URL", database_url)
    monkeypatch.delenv("QCERT_PUBLIC_HOST", raising=False)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, [str(a) for a in args])

    assert run("init", "--origin", "cli.test/ledger").exit_code == 0
    request.getfixturevalue("issue")
    return run


def test_the_command_writes_the_pdf_and_reports_its_url(qcert, engine, tmp_path, world):  # noqa: F811
    world(ChangeScope("a", "reduce", "精密零件 / Precision parts", ["hq"], TODAY))
    out = tmp_path / "n-a.pdf"
    result = qcert("lifecycle", "certificate-pdf", "N-A", "--out", out, "--host", "cert.example")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK N-A (active): {out}")
    url = verification_url("cert.example", "N-A", _newest_hash(engine, "N-A"))
    assert f"QR / 二维码: {url}" in result.output
    pdf = out.read_bytes()
    assert qr_codes(pdf) == [url]
    assert f"缩小认证范围 Scope reduced {TODAY.isoformat()}" in pdf_text(pdf)


def test_the_command_answers_json_and_reads_the_host_from_the_settings(
    qcert, engine, tmp_path, monkeypatch
):
    monkeypatch.setenv("QCERT_PUBLIC_HOST", "qcert.example:8443")
    out = tmp_path / "n-a.pdf"
    result = qcert("lifecycle", "certificate-pdf", "N-A", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    sha256 = _newest_hash(engine, "N-A")
    assert json.loads(result.stdout) == {
        "number": "N-A",
        "status": "active",
        "file": str(out),
        "bytes": len(out.read_bytes()),
        "url": verification_url("qcert.example:8443", "N-A", sha256),
        "sha256": sha256,
    }


def test_the_command_names_what_is_missing_in_one_line_in_each_language(qcert, tmp_path):
    out = tmp_path / "x.pdf"
    no_host = qcert("lifecycle", "certificate-pdf", "N-A", "--out", out)
    assert no_host.exit_code == 1
    english, chinese = no_host.output.strip().splitlines()
    assert english == "error / 错误: host: no public host; pass --host or set QCERT_PUBLIC_HOST"
    assert chinese.strip() == "host：未配置公网主机；请使用 --host 或设置 QCERT_PUBLIC_HOST"
    unknown = qcert("lifecycle", "certificate-pdf", "NOPE", "--out", out, "--host", "h.example")
    assert unknown.exit_code == 1
    assert "error / 错误: number: no certificate 'NOPE'" in unknown.output
    assert not out.exists()
