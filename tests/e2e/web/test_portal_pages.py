"""The organisation portal over TestClient: access, applying, answering findings, uploading and
downloading documents, and getting certificates."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qcert.credentials import multibase_public_key
from qcert.ledger import verify_proof
from qcert.lifecycle import (
    AddBodyKey,
    ApplyForCertification,
    CompleteAudit,
    Decide,
    GiveConsent,
    OpenAccount,
    PlanAudit,
    RaiseFinding,
    RegisterClient,
    ReviewContract,
    TechnicalReview,
)
from qcert.lifecycle.documents import MAX_DOCUMENT_BYTES
from qcert.store import tables as t
from qcert.store.documents import DocumentStore
from qcert.store.replay import check_projections
from qcert.web.portal_text import MESSAGES
from tests.e2e.conftest import PASSWORD, SITE, TEAM, api, services  # noqa: F401
from tests.services import system_bus

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ISO9001 = "urn:qcert:scheme:iso9001:2015"
ACCOUNTS = (
    "root",
    "admin1",
    "rev",
    "plan",
    "lead",
    "dec",
    "dec2",
    "client",
    "cadmin",
    "client2",
)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', html)[1]


@dataclass
class Site:
    """The app with a document store, and a way to run commands and sign people in."""

    app: object
    engine: sa.Engine
    documents: Path
    services: object

    @property
    def keys(self):
        return self.services.keys

    def run(self, cmd: object) -> list[int]:
        return system_bus(self.services)(cmd)

    def browser(self, who: str) -> TestClient:
        # Session cookies are Secure: sent over HTTPS only.
        web = TestClient(self.app, base_url="https://testserver")
        form = web.get("/signin")
        done = web.post(
            "/signin",
            data={"username": who, "password": PASSWORD, "csrf": _csrf(form.text)},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        return web

    def rows(self, table: sa.Table) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(table)).mappings()]

    def events(self, kind: str) -> list[dict]:
        return [r for r in self.rows(t.events) if r["type"] == kind]

    def stored_files(self) -> list[Path]:
        return [p for p in self.documents.rglob("*") if p.is_file()]


@pytest.fixture
def site(api, engine, services) -> Site:  # noqa: F811
    client, _ = api
    s = Site(client.app, engine, services.documents.root, services)
    s.run(
        RegisterClient(
            "c2", "91440300708461136T", "另一公司", "Other Co", "深圳", "440300", 9, [SITE]
        )
    )
    s.run(OpenAccount("client2", "client2", ["client-user@client:c2"], PASSWORD))
    return s


def _certified(site: Site) -> None:
    """c1 certified by cb1 (certificate N-1, issued as a credential), with a minor finding of
    its first surveillance whose evidence holds markup, and one uploaded PDF."""
    key_id, key = site.keys.create("cb1")
    since = datetime(2020, 1, 1, tzinfo=UTC)
    site.run(AddBodyKey("cb1", key_id, multibase_public_key(key.public_key()), since))
    site.run(GiveConsent("c1", "cb1", "书面同意"))  # cb1's reviewers may file c1's applications
    today = datetime.now(UTC).date()
    on = date(today.year - 1, today.month, 1)
    site.run(ApplyForCertification("a1", "cb1", "c1", "iso9001", [17], ["hq"]))
    site.run(ReviewContract("a1", "rev"))
    site.run(PlanAudit("a1", "s1", "stage1", TEAM, "FS01", on, on, 1.0, ["hq"]))
    site.run(CompleteAudit("a1", "s1", 1.0, on))
    site.run(PlanAudit("a1", "s2", "stage2", TEAM, "FS01", on, on, 2.0, ["hq"]))
    site.run(CompleteAudit("a1", "s2", 2.0, on))
    site.run(TechnicalReview("a1", "rev", "grant"))
    # The grant is issued as a credential by the bus, after it commits.
    site.run(Decide("a1", "dec", "grant", on, "N-1", "零件生产 / Production of parts"))
    # The first surveillance leaves a minor nonconformity for the organisation to answer.
    sv = on + timedelta(days=300)
    site.run(PlanAudit("a1", "sv1", "surveillance", TEAM, "FS01", sv, sv, 1.0, ["hq"]))
    evidence = "<script>alert(1)</script> no lot records"
    site.run(RaiseFinding("a1", "f1", "sv1", "minor", "8.5", evidence, "lead"))
    site.run(CompleteAudit("a1", "sv1", 1.0, sv))


def _upload(
    web: TestClient,
    data: bytes,
    name: str = "report.pdf",
    purpose: str = "QM",
    given_for: str = "",
    client: str = "c1",
):
    token = _csrf(web.get(f"/portal/{client}/documents").text)
    return web.post(
        f"/portal/{client}/documents",
        data={"csrf": token, "purpose": purpose, "certification_id": given_for},
        files={"file": (name, data, "application/pdf")},
        follow_redirects=False,
    )


def test_every_portal_message_has_both_languages():
    for key, (zh, en) in MESSAGES.items():
        assert zh and en and zh != en, key
        assert re.search(r"[\u4e00-\u9fff]", zh), key


def test_every_portal_page_is_the_page_or_403_for_each_account(site):
    _certified(site)
    sha = hashlib.sha256(PDF).hexdigest()
    assert _upload(site.browser("client"), PDF, given_for="a1").status_code == 303
    pages = {
        "overview": "/portal/c1",
        "apply": "/portal/c1/apply",
        "findings": "/portal/c1/findings",
        "documents": "/portal/c1/documents",
        "certificates": "/portal/c1/certificates",
        "download": f"/portal/c1/documents/{sha}",
        "credential": "/portal/c1/certificates/N-1/credential",
    }
    anonymous = TestClient(site.app, base_url="https://testserver")
    for path in pages.values():
        answer = anonymous.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin?next=")
    seen = {}
    for who in ACCOUNTS:
        web = site.browser(who)
        for name, path in pages.items():
            seen[(who, name)] = web.get(path, follow_redirects=False).status_code
    # cb2's staff and another organisation's users never see c1; only applicants get the form:
    # the organisation's users, and cb1's reviewer on c1's consent (never the platform).
    appliers = {"rev", "client", "cadmin"}
    expected = {
        (who, name): 200
        if who not in ("dec2", "client2") and (name != "apply" or who in appliers)
        else 403
        for who in ACCOUNTS
        for name in pages
    }
    assert seen == expected


def test_applying_through_the_portal_opens_it_to_the_body(site):
    staff = site.browser("admin1")
    assert staff.get("/portal/c1").status_code == 403  # c1 has not applied to cb1 yet
    web = site.browser("client")
    form = web.get("/portal/c1/apply")
    assert form.status_code == 200 and 'data-form="apply"' in form.text
    assert re.search(r'<label for="sectors">', form.text) and 'id="site-hq"' in form.text
    done = web.post(
        "/portal/c1/apply",
        data={
            "csrf": _csrf(form.text),
            "body_id": "cb1",
            "scheme_id": ISO9001,
            "sectors": ["17"],
            "sites": ["hq"],
            "complexity": "",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    cid = done.headers["location"].split("#certification-")[1]
    [row] = site.rows(t.certifications)
    assert (row["id"], row["body_id"], row["client_id"], row["stage"]) == (
        cid,
        "cb1",
        "c1",
        "applied",
    )
    assert f'data-certification="{cid}"' in web.get("/portal/c1").text
    assert 'data-stage="applied"' in web.get("/portal/c1").text
    assert staff.get("/portal/c1").status_code == 200
    assert check_projections(site.engine) == []


def test_a_refused_application_names_its_rule_in_both_languages_and_keeps_the_input(site):
    web = site.browser("client")
    values = {"body_id": "cb2", "scheme_id": ISO9001, "sectors": ["29"], "complexity": "low"}
    token = _csrf(web.get("/portal/c1/apply").text)
    refused = web.post("/portal/c1/apply", data={"csrf": token, **values})  # no site chosen
    assert refused.status_code == 422
    assert 'data-rule="input.invalid"' in refused.text and 'data-source="qcert"' in refused.text
    # The zh-CN template of the rule, naming the field in Chinese rather than by its id.
    assert "场所：须至少有一个场所" in refused.text and "sites：" not in refused.text
    assert '<option value="29" selected>' in refused.text
    assert '<option value="cb2" selected>' in refused.text
    assert '<option value="low" selected>' in refused.text
    web.get("/lang/en")
    english = web.post("/portal/c1/apply", data={"csrf": token, **values})
    assert english.status_code == 422 and "sites: at least one site" in english.text
    assert site.rows(t.certifications) == []


def test_answering_a_finding_through_the_portal(site):
    _certified(site)
    web = site.browser("client")
    page = web.get("/portal/c1/findings")
    assert page.status_code == 200 and 'data-finding-status="open"' in page.text
    # The auditor's text is shown, never run.
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    action = "/portal/c1/findings/a1/f1/answer"
    empty = {"csrf": _csrf(page.text), "correction": "relabelled lot 42", "cause": "", "action": ""}
    refused = web.post(action, data=empty)
    assert refused.status_code == 422 and 'data-rule="input.invalid"' in refused.text
    assert "relabelled lot 42</textarea>" in refused.text
    answer = {**empty, "cause": "no labelling step", "action": "label at packing"}
    done = web.post(action, data=answer, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("#finding-a1-f1")
    [finding] = site.rows(t.findings)
    assert finding["status"] == "answered"
    after = web.get("/portal/c1/findings").text
    assert 'data-answer="a1/f1"' in after and "label at packing" in after
    assert 'data-answer-form="a1/f1"' not in after  # answered: no second form
    assert check_projections(site.engine) == []


def test_only_the_organisation_answers_its_findings(site):
    _certified(site)
    lead = site.browser("lead")
    page = lead.get("/portal/c1/findings")
    assert page.status_code == 200 and 'data-answer-form="a1/f1"' not in page.text
    data = {"csrf": _csrf(page.text), "correction": "x", "cause": "y", "action": "z"}
    assert lead.post("/portal/c1/findings/a1/f1/answer", data=data).status_code == 403
    assert site.rows(t.findings)[0]["status"] == "open"


def test_an_uploaded_pdf_is_hashed_into_the_ledger_and_comes_back_unchanged(site):
    web = site.browser("client")
    done = _upload(web, PDF, "质量手册 v2.pdf", "quality manual")
    assert done.status_code == 303
    sha = hashlib.sha256(PDF).hexdigest()
    [event] = site.events("client.document-uploaded")
    data = json.loads(event["document"])["data"]
    assert data == {
        "sha256": sha,
        "filename": "质量手册 v2.pdf",
        "media_type": "application/pdf",
        "size": len(PDF),
        "purpose": "quality manual",
        "uploaded_by": "client",
        "sm3": hashlib.new("sm3", PDF).hexdigest(),  # the SM3 digest of the same bytes
    }
    assert site.stored_files() == [site.documents / sha[:2] / sha[2:]]
    assert (site.documents / sha[:2] / sha[2:]).stat().st_mode & 0o777 == 0o600
    [row] = site.rows(t.documents)
    assert (row["client_id"], row["sha256"], row["ledger_index"]) == (
        "c1",
        sha,
        event["ledger_index"],
    )
    listing = web.get("/portal/c1/documents").text
    assert f'data-document="{sha}" data-ledger-index="{event["ledger_index"]}"' in listing
    prove = re.search(r'href="(/ledger/proof/\d+)"', listing)[1]
    site.services.ledger.sign_due()  # the server's schedule, within seconds of the upload
    bundle = web.get(prove).text
    ledger = site.services.ledger
    entry = ledger.entry(event["ledger_index"])
    assert sha.encode() in entry
    assert verify_proof(bundle, entry, [ledger.verifiers()[0].vkey()]).index == row["ledger_index"]
    got = web.get(f"/portal/c1/documents/{sha}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-security-policy"].startswith("default-src 'none'")
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E8%B4%A8%E9%87%8F%E6%89%8B%E5%86%8C%20v2.pdf" in disposition
    assert check_projections(site.engine, DocumentStore(site.documents)) == []


def test_refused_uploads_write_nothing(site):
    web = site.browser("client")
    cases = [
        ("invoice.pdf", b"<!doctype html><script>alert(1)</script>", "UTF-8"),  # HTML named .pdf
        ("scan.pdf", b"\x00\x01\x02 not a known format", "UTF-8"),
        ("../../evil.pdf", PDF, "文件名"),
        ("report.txt", PDF, "文件名"),  # the name and the content disagree
    ]
    for name, data, field in cases:
        refused = _upload(web, data, name)
        assert refused.status_code == 422, name
        assert 'data-rule="input.invalid"' in refused.text and field in refused.text, name
    assert site.events("client.document-uploaded") == [] and site.stored_files() == []


def test_an_upload_past_10_mib_is_refused_with_413_and_nothing_written(site):
    web = site.browser("client")
    refused = _upload(web, PDF + b"0" * (MAX_DOCUMENT_BYTES + 1 - len(PDF)))
    assert refused.status_code == 413 and "10 MiB" in refused.text
    assert site.events("client.document-uploaded") == [] and site.stored_files() == []
    at_limit = _upload(web, PDF + b"0" * (MAX_DOCUMENT_BYTES - len(PDF)))
    assert at_limit.status_code == 303


def test_text_is_served_as_text_and_the_same_file_is_taken_once(site):
    web = site.browser("client")
    text = "产量记录 2026\n".encode()
    assert _upload(web, text, "records.txt").status_code == 303
    got = web.get(f"/portal/c1/documents/{hashlib.sha256(text).hexdigest()}")
    assert got.content == text and got.headers["content-type"] == "text/plain; charset=utf-8"
    again = _upload(web, text, "copy.txt")
    assert again.status_code == 422 and "c1 的文件中已有该文件" in again.text
    assert len(site.events("client.document-uploaded")) == 1


def test_body_staff_upload_only_once_the_organisation_applied(site):
    staff = site.browser("plan")
    assert staff.get("/portal/c1/documents").status_code == 403
    site.run(ApplyForCertification("a1", "cb1", "c1", "iso9001", [17], ["hq"]))
    form = staff.get("/portal/c1/documents").text
    assert '<option value="a1">' in form and '<option value="">' not in form
    unnamed = _upload(staff, PDF, "plan.pdf", "audit plan")
    assert unnamed.status_code == 422 and "certification_id" in unnamed.text
    assert _upload(staff, PDF, "plan.pdf", "audit plan", "a1").status_code == 303
    [row] = site.rows(t.documents)
    assert (row["uploaded_by"], row["certification_id"]) == ("plan", "a1")


def test_a_document_given_for_a_certification_is_seen_by_that_body_only(site):
    """ISO/IEC 17021-1 8.4: what the organisation gives one body, another does not read."""
    site.run(ApplyForCertification("a1", "cb1", "c1", "iso9001", [17], ["hq"]))
    site.run(ApplyForCertification("a2", "cb2", "c1", "iso9001", [17], ["hq"]))
    web = site.browser("client")
    own, for_cb1, for_cb2 = b"own notes\n", b"for cb1\n", b"for cb2\n"
    assert _upload(web, own, "own.txt", "internal").status_code == 303
    assert _upload(web, for_cb1, "cb1.txt", "manual", "a1").status_code == 303
    assert _upload(web, for_cb2, "cb2.txt", "manual", "a2").status_code == 303
    sha = {
        k: hashlib.sha256(v).hexdigest()
        for k, v in (("own", own), ("cb1", for_cb1), ("cb2", for_cb2))
    }
    listing = web.get("/portal/c1/documents").text
    assert all(f'data-document="{h}"' in listing for h in sha.values())
    assert 'data-for="a1"' in listing and 'data-for=""' in listing
    for who, seen in (("plan", "cb1"), ("dec2", "cb2")):
        staff = site.browser(who)
        page = staff.get("/portal/c1/documents").text
        assert [k for k, h in sha.items() if f'data-document="{h}"' in page] == [seen], who
        for key, h in sha.items():
            got = staff.get(f"/portal/c1/documents/{h}").status_code
            assert got == (200 if key == seen else 404), (who, key)
        overview = staff.get("/portal/c1").text
        assert [k for k, h in sha.items() if f'data-document="{h}"' in overview] == [seen]
        body, cid = {"cb1": ("cb1", "a1"), "cb2": ("cb2", "a2")}[seen]
        record = staff.get(f"/ws/bodies/{body}/certifications/{cid}").text
        assert [k for k, h in sha.items() if f'data-document="{h}"' in record] == [seen]
        assert f'href="/portal/c1/documents/{sha[seen]}"' in record


def test_the_same_file_may_go_to_two_certifications_and_no_further(site):
    site.run(ApplyForCertification("a1", "cb1", "c1", "iso9001", [17], ["hq"]))
    site.run(ApplyForCertification("a2", "cb2", "c1", "iso9001", [17], ["hq"]))
    web = site.browser("client")
    assert _upload(web, PDF, given_for="a1").status_code == 303
    assert _upload(web, PDF, given_for="a2").status_code == 303
    again = _upload(web, PDF, given_for="a2")
    assert again.status_code == 422 and 'data-rule="input.invalid"' in again.text
    assert [r["certification_id"] for r in site.rows(t.documents)] == ["a1", "a2"]


def test_a_document_cannot_be_given_for_a_certification_not_of_the_organisation(site):
    site.run(ApplyForCertification("a1", "cb1", "c1", "iso9001", [17], ["hq"]))
    site.run(ApplyForCertification("b1", "cb1", "c2", "iso9001", [17], ["hq"]))
    refused = _upload(site.browser("client"), PDF, given_for="b1")
    assert refused.status_code == 422
    assert "认证项目编号：b1 不是 c1 的认证" in refused.text
    staff = _upload(site.browser("dec2"), PDF, given_for="a1")  # cb2 staff, cb1's certification
    assert staff.status_code == 403
    assert site.rows(t.documents) == [] and site.stored_files() == []


def test_forms_without_the_csrf_token_are_refused(site):
    _certified(site)
    web = site.browser("client")
    web.get("/portal/c1")
    apply = {"body_id": "cb1", "scheme_id": ISO9001, "sectors": ["17"], "sites": ["hq"]}
    answer = {"correction": "a", "cause": "b", "action": "c"}
    for path, data, files in [
        ("/portal/c1/apply", apply, None),
        ("/portal/c1/findings/a1/f1/answer", answer, None),
        ("/portal/c1/documents", {"purpose": "x"}, {"file": ("a.pdf", PDF, "application/pdf")}),
    ]:
        forged = web.post(path, data={**data, "csrf": "forged"}, files=files)
        assert forged.status_code == 403, path
        assert "表单已过期或来源不明" in forged.text
    assert len(site.rows(t.certifications)) == 1
    assert site.rows(t.findings)[0]["status"] == "open"
    assert site.rows(t.documents) == [] and site.stored_files() == []


def test_certificates_link_the_pdf_and_serve_the_newest_credential_from_the_ledger(site):
    _certified(site)
    web = site.browser("client")
    page = web.get("/portal/c1/certificates").text
    assert 'data-certificate="N-1"' in page and 'data-status="active"' in page
    assert 'href="/public/certificates/N-1/pdf"' in page
    [credential] = site.rows(t.credentials)
    assert f'data-credential="{credential["ledger_index"]}"' in page
    got = web.get("/portal/c1/certificates/N-1/credential")
    assert got.status_code == 200
    assert got.content == site.services.ledger.entry(credential["ledger_index"])
    assert hashlib.sha256(got.content).hexdigest() == credential["sha256"]
    assert got.headers["content-type"] == "application/vc+ld+json"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert web.get("/portal/c1/certificates/NOPE/credential").status_code == 404


def test_the_overview_shows_the_organisation_at_a_glance(site):
    _certified(site)
    web = site.browser("client")
    assert _upload(web, PDF).status_code == 303
    page = web.get("/portal/c1").text
    assert "data-uscc>91110108551385082Q<" in page and 'data-site="hq"' in page
    assert 'data-certification="a1"' in page and 'data-stage="active"' in page
    assert 'class="badge b-active" data-status="active"' in page
    assert 'data-finding="a1/f1" data-finding-status="open"' in page
    assert f'data-document="{hashlib.sha256(PDF).hexdigest()}"' in page
    assert "<script>alert(1)</script>" not in page


def _upload_photo(web: TestClient, data: bytes, **taken: str):
    token = _csrf(web.get("/portal/c1/documents").text)
    return web.post(
        "/portal/c1/documents",
        data={"csrf": token, "purpose": "现场照片", "certification_id": "", **taken},
        files={"file": ("site.jpg", data, "image/jpeg")},
        follow_redirects=False,
    )


def test_a_photo_upload_shows_both_digests_and_where_and_when_it_was_taken(site):
    from tests.photos import jpeg

    web = site.browser("client")
    photo = jpeg(31.2304, 121.4737, ("2026:12:01", (2.0, 3.0, 4.0)))
    assert _upload_photo(web, photo).status_code == 303
    sm3 = hashlib.new("sm3", photo).hexdigest()
    page = web.get("/portal/c1/documents").text
    assert f'data-sm3="{sm3}"' in page
    # From the photo's EXIF (GPS time, UTC), shown in the viewer's zone.
    assert "2026-12-01 10:03:04 UTC+8 (31.2304, 121.4737)" in page
    # The form's time and place win over the photo's own; its time is China Standard Time.
    other = jpeg(31.2304, 121.4737, colour=(0, 90, 200))
    given = {"taken_at": "2026-12-02T09:30", "taken_lat": "39.96", "taken_lon": "116.3"}
    assert _upload_photo(web, other, **given).status_code == 303
    [row] = [r for r in site.rows(t.documents) if r["sha256"] == hashlib.sha256(other).hexdigest()]
    assert (row["taken_at"], row["taken_lat"], row["taken_lon"]) == (
        "2026-12-02T09:30:00+08:00",
        39.96,
        116.3,
    )


@pytest.mark.parametrize(
    "taken",
    [{"taken_lat": "39.9"}, {"taken_lat": "91", "taken_lon": "0"}, {"taken_at": "yesterday"}],
)
def test_a_photos_time_or_place_that_cannot_be_is_refused(site, taken):
    from tests.photos import jpeg

    web = site.browser("client")
    refused = _upload_photo(web, jpeg(), **taken)
    assert refused.status_code == 422 and "拍摄时间 / 拍摄纬度 / 拍摄经度" in refused.text
    assert site.rows(t.documents) == []
