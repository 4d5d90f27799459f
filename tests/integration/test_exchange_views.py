"""The exchange read views on a certified world (SQLite and PostgreSQL), and the documents
built from them: CertSearch records and the national reporting set."""

from datetime import date

from qcert.exchange import certsearch, national
from qcert.lifecycle import (
    AnswerFinding,
    ApplyForCertification,
    CompleteAudit,
    Decide,
    PlanAudit,
    RaiseFinding,
    RegisterClient,
    ReviewContract,
    SuspendCertificate,
    TechnicalReview,
)
from qcert.store import views
from tests.integration.lifecycle.conftest import SITES, TEAM, bus, certify, world  # noqa: F401


def _confidential(world):  # noqa: F811
    world(
        RegisterClient(
            "secret",
            "91440300708461136T",
            "保密公司",
            "Private Co",
            "深圳市南山区保密路3号",
            "440305",
            10,
            [SITES[0]],
            confidential=True,
        )
    )
    day = date(2024, 5, 6)
    world(ApplyForCertification("s", "cb1", "secret", "iso9001", [17], ["hq"]))
    world(ReviewContract("s", "rev1"))
    world(PlanAudit("s", "s1", "stage1", TEAM, "FS02", day, day, 1, ["hq"]))  # remote
    world(CompleteAudit("s", "s1", 1, day))
    world(PlanAudit("s", "s2", "stage2", TEAM, "FS01", day, day, 3, ["hq"]))
    world(RaiseFinding("s", "f1", "s2", "minor", "8.5", "no lot records", "aud1"))
    world(CompleteAudit("s", "s2", 3, day))
    world(AnswerFinding("s", "f1", "records kept", "no rule", "rule added"))
    world(TechnicalReview("s", "rev1", "grant"))
    world(Decide("s", "dec1", "grant", day, "00123Q0002", "零件装配 / Assembly of parts"))


def test_certificate_rows_carry_the_client_its_address_and_the_sectors(world, engine):  # noqa: F811
    certify(world)
    _confidential(world)
    with engine.connect() as conn:
        assert views.count_certificates(conn, "cb1") == 2
        assert views.count_certificates(conn, "cb2") == 0
        body = views.body_row(conn, "cb1")
        rows = list(views.certificate_rows(conn, "cb1"))
        second = list(views.certificate_rows(conn, "cb1", offset=1, limit=1))
        assert views.body_row(conn, "nobody") is None
    assert body["accreditation"] == "CNAS C001-M" and body["approval_no"] == "CNCA-R-2002-cb1"
    assert [r["number"] for r in rows] == ["00123Q0001", "00123Q0002"]
    assert [r["number"] for r in second] == ["00123Q0002"]
    first = rows[0]
    assert first["sectors"] == [17]
    assert first["client"]["address"] == "北京市海淀区示例路1号"
    assert first["client"]["adcode"] == "110108"
    assert set(first["client"]["sites"]) == {"hq", "plant"}
    assert rows[1]["client"]["confidential"] is True


def test_the_certsearch_records_of_a_body_upload_cleanly(world, engine):  # noqa: F811
    certify(world)
    world(SuspendCertificate("cert1", "client asked", date(2024, 1, 10)))
    _confidential(world)
    with engine.connect() as conn:
        body = views.body_row(conn, "cb1")
        records = [certsearch.to_record(r, body) for r in views.certificate_rows(conn, "cb1")]
    assert certsearch.validate(records).errors == []
    public, private = records
    assert public["certification"]["certification_status"] == "Suspended"
    assert [s["street"] for s in public["certification"]["sites"]] == [
        "北京市海淀区示例路1号",
        "天津市滨海新区示例路2号",
    ]
    assert public["certification"]["certification_issue_date"] == "20230301"
    assert private["certified_entity"]["confidential_certified_entity"] == "true"
    assert private["certification"]["sites"] == []
    assert "91440300708461136T" not in repr(private)
    assert "保密路" not in repr(private)


def _report(engine, body_id="cb1", start=None, end=None):
    with engine.connect() as conn:
        return national.report(
            views.body_row(conn, body_id),
            views.audit_rows(conn, body_id),
            views.finding_rows(conn, body_id),
            views.certificate_rows(conn, body_id),
            views.history_rows(conn, body_id),
            views.auditor_registrations(conn, body_id),
            start,
            end,
        )


def test_the_national_report_holds_plans_results_certificates_and_status_changes(world, engine):  # noqa: F811
    certify(world)
    world(SuspendCertificate("cert1", "client asked", date(2024, 1, 10)))
    _confidential(world)
    doc = _report(engine)
    assert (doc["schema"], doc["version"]) == (national.SCHEMA, national.VERSION)
    assert doc["body"]["name"]["zh-CN"] == "示例认证中心"
    assert doc["period"] == {"from": None, "to": None}
    assert doc["counts"] == {
        "audit_plans": 4,
        "audit_results": 4,
        "certificates": 2,
        "status_changes": 3,
    }
    plan = doc["audit_plans"][0]
    assert (plan["audit_id"], plan["kind"], plan["uscc"]) == ("s1", "stage1", "91110108551385082Q")
    assert plan["method"] == {"code": "FS01", "en": "on-site audit", "zh-CN": "现场审核"}
    assert plan["auditors"] == [
        {"id": "lead1", "registration_no": "2020-N1QMS-lead1", "role": "lead"},
        {"id": "aud1", "registration_no": "2020-N1QMS-aud1", "role": "auditor"},
    ]
    remote = next(r for r in doc["audit_plans"] if r["certification_id"] == "s")
    assert remote["method"]["code"] == "FS02"
    result = next(
        r for r in doc["audit_results"] if (r["certification_id"], r["audit_id"]) == ("s", "s2")
    )
    assert result["findings"] == {"major": 0, "minor": 1, "observation": 0, "improvement": 0}
    assert result["findings_not_closed"] == 1
    secret = next(c for c in doc["certificates"] if c["number"] == "00123Q0002")
    assert secret["uscc"] == "91440300708461136T"  # the regulator sees confidential clients
    assert [(c["certificate_number"], c["event"], c["status"]) for c in doc["status_changes"]] == [
        ("00123Q0001", "certificate.issued", "active"),
        ("00123Q0001", "certificate.suspended", "suspended"),
        ("00123Q0002", "certificate.issued", "active"),
    ]
    assert all(isinstance(c["ledger_index"], int) for c in doc["status_changes"])


def test_a_period_selects_what_happened_within_it(world, engine):  # noqa: F811
    certify(world)
    world(SuspendCertificate("cert1", "client asked", date(2024, 1, 10)))
    _confidential(world)
    doc = _report(engine, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert doc["period"] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert doc["counts"] == {
        "audit_plans": 2,  # the confidential client's stage 1 and stage 2
        "audit_results": 2,
        "certificates": 1,
        "status_changes": 2,
    }
    assert [c["number"] for c in doc["certificates"]] == ["00123Q0002"]
    other = _report(engine, body_id="cb2")
    assert other["counts"] == dict.fromkeys(other["counts"], 0)
