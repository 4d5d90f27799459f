"""The public verification pages over TestClient: status codes, verdicts, escaping, error pages."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from qcert.lifecycle import (
    ApplyForCertification,
    CompleteAudit,
    Decide,
    PlanAudit,
    ReviewContract,
    TechnicalReview,
)
from qcert.server import create_app
from qcert.web.pages import MAX_UPLOAD
from tests.e2e.web.conftest import Certified
from tests.integration.lifecycle.conftest import CONFIDENTIAL


@pytest.fixture
def client(certified: Certified) -> TestClient:
    return TestClient(create_app(certified.services, schedule=False))


def _verdict(html: str) -> str:
    return re.search(r'data-verdict="([^"]+)"', html).group(1)


def _upload(client: TestClient, data: bytes, name: str = "credential.json"):
    return client.post("/verify/upload", files={"credential": (name, data, "application/json")})


def test_the_verify_page_is_bilingual_and_loads_nothing_from_elsewhere(client):
    page = client.get("/verify")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "查验认证证书" in page.text and "Verify a certificate" in page.text
    assert not re.search(r'(src|href|action)="(https?:)?//', page.text)
    assert "<script" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    css = client.get("/verify/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "url(" not in css.text and "@import" not in css.text


def test_search_finds_by_number_name_and_credit_code(client):
    by_number = client.get("/verify", params={"q": "N-S"}).text
    assert re.findall(r'data-number="([^"]+)"', by_number) == ["N-S"]
    assert 'href="/v/N-S"' in by_number and "已暂停" in by_number
    by_name = client.get("/verify", params={"q": "精密"}).text
    assert re.findall(r'data-number="([^"]+)"', by_name) == ["N-S", "N-V", "N-W"]
    by_code = client.get("/verify", params={"q": "91110108551385082Q"}).text
    assert len(re.findall(r"data-number=", by_code)) == 3
    nothing = client.get("/verify", params={"q": "no such company"})
    assert nothing.status_code == 200 and "未找到证书" in nothing.text


def test_a_query_of_one_character_is_a_bilingual_error(client):
    page = client.get("/verify", params={"q": "x"})
    assert page.status_code == 422
    assert "q：请输入 2 至 100 个字符" in page.text and "q: enter 2 to 100 characters" in page.text


@pytest.mark.parametrize(
    ("number", "verdict", "zh"),
    [("N-V", "valid", "真实有效"), ("N-S", "suspended", "已暂停"), ("N-W", "withdrawn", "已撤销")],
)
def test_the_certificate_page_shows_its_verdict(client, number, verdict, zh):
    page = client.get(f"/v/{number}")
    assert page.status_code == 200
    assert _verdict(page.text) == verdict and zh in page.text


def test_an_unknown_number_is_a_404_saying_so(client):
    page = client.get("/v/NOPE")
    assert page.status_code == 404
    assert _verdict(page.text) == "unknown" and "查无此证" in page.text


def test_the_certificate_page_shows_scope_sites_body_and_history(client):
    page = client.get("/v/N-W").text
    assert "精密机械零件的生产" in page and "Example Precision Manufacturing" in page
    assert "天津市滨海新区示例路2号" in page and "工厂" in page
    assert "CNCA-R-2002-cb1" in page and "示例认证中心" in page
    assert re.search(r"<dd data-accreditation>CNAS C001-M</dd>", page)
    assert "91110108551385082Q" in page
    history = page[page.index("状态历史") :]
    assert history.index("颁发") < history.index("撤销")


def test_the_certificate_page_names_the_scheme_and_its_times_as_people_read_them(client):
    page = client.get("/v/N-W").text
    assert "ISO 9001:2015 / GB/T 19001-2016" in page
    assert "urn:qcert:scheme" not in re.sub(r"<[^>]+>", " ", page)  # only in attributes
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', page)
    assert times and all(re.fullmatch(r"[\d-]{10} [\d:]{8} UTC\+8", said) for _, said in times)
    # The zone a viewer chose on the account page is a cookie the public page reads too.
    client.cookies.set("qcert_tz", "UTC")
    again = client.get("/v/N-W").text
    assert re.findall(r'<time datetime="[^"]+">([^<]+)</time>', again)[0].endswith(" UTC+0")


def test_the_qr_landing_page_checks_the_credential_hash(client, certified):
    genuine = client.get("/v/N-V", params={"sha256": certified.sha256["N-V"].upper()})
    assert _verdict(genuine.text) == "valid" and 'data-credential="match"' in genuine.text
    other = client.get("/v/N-V", params={"sha256": certified.sha256["N-S"]})
    assert _verdict(other.text) == "tampered" and 'data-credential="mismatch"' in other.text
    assert _verdict(client.get("/v/N-V", params={"sha256": "0" * 64}).text) == "tampered"
    malformed = client.get("/v/N-V", params={"sha256": "not-a-hash"})
    assert malformed.status_code == 400 and "64 位十六进制数字" in malformed.text


def test_uploaded_credentials_genuine_tampered_and_forged(client, certified):
    def verdict_of(credential: dict) -> str:
        page = _upload(client, json.dumps(credential).encode())
        assert page.status_code == 200
        return _verdict(page.text)

    assert verdict_of(certified.credentials["N-V"]) == "valid"
    assert verdict_of(certified.credentials["N-W"]) == "withdrawn"
    assert verdict_of(certified.tampered()) == "tampered"
    assert verdict_of(certified.forged_by_another_body()) == "not-issued"
    assert verdict_of(certified.forged_with_another_key()) == "not-issued"


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        (b"{" + b" " * MAX_UPLOAD + b"}", 413, "the file is larger than 256 KiB"),
        (b"{" + b" " * (4 * MAX_UPLOAD) + b"}", 413, "文件超过 256 KiB"),
        (b"%PDF-1.7 not json", 400, "the file is not JSON"),
        (b"\xff\xfe{}", 400, "the file is not JSON"),
        (b'{"a": NaN}', 400, "the file is not JSON"),
        (b"[" * 100_000, 400, "the file is not JSON"),
        (b"[1, 2]", 400, "the file must be one JSON object"),
        (b'{"issuer": 5, "proof": []}', 200, "not issued by the body it names"),
    ],
)
def test_bad_uploads_are_bilingual_errors_never_500(client, data, status, says):
    page = _upload(client, data)
    assert page.status_code == status and says in page.text
    assert '<html lang="zh-CN">' in page.text


def test_an_upload_without_a_file_is_refused(client):
    page = client.post("/verify/upload", data={"other": "x"})
    assert page.status_code == 400 and "请选择要上传的证书文件" in page.text
    raw = client.post("/verify/upload", content=b"{}", headers={"content-type": "application/json"})
    assert raw.status_code == 400


def test_everything_shown_is_escaped(client, certified):
    attack = '"><script>alert(1)</script>'
    search = client.get("/verify", params={"q": attack}).text
    assert "<script>" not in search and "&lt;script&gt;" in search
    unknown = client.get("/v/<b onclick=x>N").text
    assert "<b " not in unknown and "&lt;b onclick=x&gt;N" in unknown
    forged = {**certified.credentials["N-V"], "issuer": "<img src=x onerror=alert(1)>"}
    page = _upload(client, json.dumps(forged).encode()).text
    assert "<img" not in page and "&lt;img src=x" in page


def test_a_confidential_client_shows_only_what_certsearch_shows(client, world, clock):
    world(CONFIDENTIAL)
    day = clock().date()  # the world's clock has moved past its other records
    lead = [{"auditor": "lead1", "role": "lead"}]
    world(ApplyForCertification("p", "cb1", "secret", "iso9001", [17], ["hq"]))
    world(ReviewContract("p", "rev1"))
    world(PlanAudit("p", "s1", "stage1", lead, "FS02", day, day, 1, ["hq"]))
    world(CompleteAudit("p", "s1", 1, day))
    world(PlanAudit("p", "s2", "stage2", lead, "FS01", day, day, 3, ["hq"]))
    world(CompleteAudit("p", "s2", 3, day))
    world(TechnicalReview("p", "rev1", "grant"))
    world(Decide("p", "dec1", "grant", day, "N-P", "scope"))
    page = client.get("/v/N-P").text
    assert "保密公司" in page and "IAF CertSearch" in page
    assert "91440300708461136T" not in page and "北京市海淀区" not in page
    assert 'class="history"' not in page and 'class="sites"' not in page
    assert "N-P" not in client.get("/verify", params={"q": "保密"}).text
