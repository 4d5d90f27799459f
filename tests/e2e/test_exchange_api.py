"""The exchange exports over HTTP: for the body's own staff only, as JSON or xlsx."""

from datetime import date

import pytest

from qcert.exchange import certsearch
from qcert.lifecycle import (
    ApplyForCertification,
    CompleteAudit,
    Decide,
    PlanAudit,
    ReviewContract,
    TechnicalReview,
    handle,
)
from qcert.store.uow import UnitOfWork

from .conftest import TEAM


@pytest.fixture
def certified(api, engine, clock):
    def run(cmd):
        clock.follow(cmd)  # each fact recorded on its day
        return handle(cmd, UnitOfWork(engine, actor="setup", clock=clock))

    day, stage2 = date(2024, 3, 4), date(2024, 3, 25)
    run(ApplyForCertification("x", "cb1", "c1", "iso9001", [17], ["hq"]))
    run(ReviewContract("x", "rev"))
    run(PlanAudit("x", "s1", "stage1", TEAM, "FS01", day, day, 1, ["hq"]))
    run(CompleteAudit("x", "s1", 1, day))
    run(PlanAudit("x", "s2", "stage2", TEAM, "FS03", stage2, stage2, 2, ["hq"]))
    run(CompleteAudit("x", "s2", 2, stage2, on_site_days=1.6))  # FS03: 80% on site
    run(TechnicalReview("x", "rev", "grant"))
    run(Decide("x", "dec", "grant", stage2, "CB1-0001", "零件 / Parts"))
    return api


def test_body_staff_get_a_certsearch_batch_as_json_and_xlsx(certified):
    client, as_ = certified
    r = client.get("/api/v1/exchange/certsearch", params={"body": "cb1"}, headers=as_("plan"))
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["batch"], doc["batches"]) == (1, 1)
    [record] = doc["records"]
    assert record["certification"]["certificate_number"] == "CB1-0001"
    assert record["certification"]["certification_issue_date"] == "20240325"
    x = client.get(
        "/api/v1/exchange/certsearch",
        params={"body": "cb1", "format": "xlsx"},
        headers=as_("admin1"),
    )
    assert x.status_code == 200
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="cb1_certs_1.xlsx"' in x.headers["content-disposition"]
    assert certsearch.read_xlsx(x.content) == [record]


def test_a_batch_past_the_last_is_not_found(certified):
    client, as_ = certified
    r = client.get(
        "/api/v1/exchange/certsearch", params={"body": "cb1", "batch": 2}, headers=as_("root")
    )
    assert r.status_code == 404 and r.json()["error"]["message"] == "batch: cb1 has 1 batch(es)"
    bad = client.get(
        "/api/v1/exchange/certsearch", params={"body": "cb1", "batch": 0}, headers=as_("root")
    )
    assert bad.status_code == 422 and "batch" in bad.json()["error"]["message"]


def test_the_national_set_for_a_period(certified):
    client, as_ = certified
    r = client.get(
        "/api/v1/exchange/national",
        params={"body": "cb1", "from": "2024-03-10", "to": "2024-12-31"},
        headers=as_("dec"),
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["period"] == {"from": "2024-03-10", "to": "2024-12-31"}
    assert doc["counts"] == {
        "audit_plans": 1,
        "audit_results": 1,
        "certificates": 1,
        "status_changes": 1,
    }
    assert doc["audit_plans"][0]["method"]["code"] == "FS03"
    assert doc["audit_plans"][0]["auditors"] == [
        {"id": "lead", "registration_no": "R1", "role": "lead"}
    ]
    backwards = client.get(
        "/api/v1/exchange/national",
        params={"body": "cb1", "from": "2024-03-10", "to": "2024-01-01"},
        headers=as_("dec"),
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["message"].startswith("to: 2024-01-01 is before from")


def test_another_body_or_a_client_may_not_read_a_body_s_exports(certified):
    client, as_ = certified
    headers = {who: as_(who) for who in ("dec2", "client", "root")}
    for path in ("/api/v1/exchange/certsearch", "/api/v1/exchange/national"):
        for who in ("dec2", "client"):
            r = client.get(path, params={"body": "cb1"}, headers=headers[who])
            assert r.status_code == 403, (path, who, r.text)
            error = r.json()["error"]
            assert error["code"] == "forbidden" and error["rule"] == "access.route"
            assert error["message"] == "body: only cb1's own staff may see this"
            assert error["message_zh"] == "认证机构：仅 cb1 的人员可查看"
        assert client.get(path, params={"body": "cb1"}).status_code == 401
        missing = client.get(path, params={"body": "nobody"}, headers=headers["root"])
        assert missing.status_code == 404
