"""The supervision hub's pages: the regulator's cockpit, scoped to its jurisdiction, with the
province map, warnings, referrals and campaigns; a warning acted on through its forms (a refusal
shown where the eye is); a body's portrait; and the public inspection results."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from qcert.credentials.dataintegrity import multibase_public_key
from qcert.keys import load_signers
from qcert.ledger.hashing import SHA256
from qcert.lifecycle import OpenAccount
from qcert.server import create_app
from qcert.store import hub as hub_views
from qcert.supervision.commands import (
    CommitDraw,
    EnrolBody,
    RaiseWarnings,
    RecordScan,
    RevealDraw,
)
from qcert.supervision.draw import canonical_inputs, commitment, new_seed
from qcert.supervision.warnings import warning_id
from qcert.web.hub_text import MESSAGES
from tests.e2e.conftest import PASSWORD
from tests.services import SYSTEM, make_services
from tests.unit.supervision.test_draw import inputs

ACCOUNTS = {
    "reg-js": ["regulator@region:320000"],
    "reg-sh": ["regulator@region:310000"],
    "reg-cn": ["regulator@region:100000"],
    "reg-zj": ["regulator@region:330000"],
    "staff": ["auditor@body:cb1"],
    "plain": [],
}


def _hit(entity: str, region: str) -> dict:
    return {
        "indicator": "checkin-far",
        "entity_kind": "audit",
        "entity_id": entity,
        "body_id": "cb1",
        "org_id": "91320500MA1234567X",
        "region": region,
        "value": 42.0,
        "threshold": 5.0,
        "evidence": ["L1"],
        "day": "2026-05-10",
    }


@pytest.fixture
def hub(engine, tmp_path):
    services = make_services(engine, tmp_path, clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
    for name, roles in ACCOUNTS.items():
        services.bus.handle(OpenAccount(name, name, roles, PASSWORD), SYSTEM)
    services.bus.handle(RaiseWarnings([_hit("A-1", "320506"), _hit("A-2", "310104")]), SYSTEM)
    seed = new_seed()
    doc = json.loads(canonical_inputs(inputs()))
    draw = CommitDraw("js-1", "江苏抽查", "Jiangsu checks", "320000", commitment(seed), doc)
    services.bus.handle(draw, SYSTEM)
    services.bus.handle(RevealDraw("js-1", seed), SYSTEM)
    yield services
    services.close()


def _signed_in(services, who: str) -> TestClient:
    web = TestClient(create_app(services, schedule=False), base_url="https://testserver")
    form = web.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]*)"', form.text)[1]
    done = web.post(
        "/signin",
        data={"username": who, "password": PASSWORD, "csrf": csrf, "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return web


def _csrf(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', text)[1]


def test_the_cockpit_shows_a_regulator_its_own_jurisdiction_only(hub):
    jiangsu = _signed_in(hub, "reg-js").get("/hub")
    assert jiangsu.status_code == 200
    assert 'data-warning="' + warning_id("checkin-far", "audit", "A-1") in jiangsu.text
    assert warning_id("checkin-far", "audit", "A-2") not in jiangsu.text
    assert re.search(r'data-province="320000" data-count="1"', jiangsu.text)
    # The map counts every province: aggregates above a jurisdiction are every regulator's.
    assert re.search(r'data-province="310000" data-count="1"', jiangsu.text)
    assert 'href="/inspections/js-1"' in jiangsu.text
    nation = _signed_in(hub, "reg-cn").get("/hub")
    assert re.search(r'data-figure="open">2<', nation.text)
    assert _signed_in(hub, "plain").get("/hub").status_code == 403
    anonymous = TestClient(create_app(hub, schedule=False), base_url="https://testserver")
    assert anonymous.get("/hub", follow_redirects=False).status_code == 303  # to sign in


def test_a_warning_is_acted_on_through_its_forms_and_a_refusal_is_shown(hub):
    wid = warning_id("checkin-far", "audit", "A-1")
    web = _signed_in(hub, "reg-js")
    page = web.get(f"/hub/warnings/{wid}")
    assert page.status_code == 200 and 'data-status="open"' in page.text
    # From the warning down to the records and their proofs.
    assert 'href="/hub/v1/portraits/organisation/91320500MA1234567X"' in page.text
    moved = web.post(
        f"/hub/warnings/{wid}/change",
        data={"csrf": _csrf(page.text), "status": "investigating", "reason": "签到偏离场所"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert 'data-status="investigating"' in web.get(f"/hub/warnings/{wid}").text
    refused = web.post(
        f"/hub/warnings/{wid}/refer",
        data={"csrf": _csrf(page.text), "to": "320500", "due": "2026-07-01", "reason": "本省"},
    )
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text and "to" in refused.text
    assert _signed_in(hub, "reg-sh").get(f"/hub/warnings/{wid}").status_code == 403
    # Nor may it act through the form: the bus refuses, and nothing is recorded.
    shanghai = _signed_in(hub, "reg-sh")
    token = _csrf(shanghai.get("/hub").text)
    posted = shanghai.post(
        f"/hub/warnings/{wid}/change",
        data={"csrf": token, "status": "dismissed", "reason": "不是我的"},
    )
    assert posted.status_code == 403
    assert 'data-status="investigating"' in web.get(f"/hub/warnings/{wid}").text


def test_the_public_sees_every_campaign_and_its_draw_in_both_languages(hub):
    web = TestClient(create_app(hub, schedule=False), base_url="https://testserver")
    listed = web.get("/inspections")
    assert listed.status_code == 200 and 'data-campaign="js-1"' in listed.text
    page = web.get("/inspections/js-1")
    assert page.status_code == 200 and "data-seed" in page.text
    # The campaign's area by name, each drawn target's kind in words.
    assert 'title="320000">江苏<' in page.text and 'title="320000">江苏<' in listed.text
    kinds = re.findall(r'<td data-kind="([a-z]+)">([^<]+)</td>', page.text)
    assert kinds and all(word != kind for kind, word in kinds)
    assert "qcert hub rerun js-1 --url" in page.text
    web.get("/lang/en?next=/inspections/js-1")
    assert "Jiangsu checks" in web.get("/inspections/js-1").text


def test_every_hub_message_has_both_languages():
    for key, (zh, en) in MESSAGES.items():
        assert (zh.strip() and en.strip() and zh != en) or key.startswith("outcome."), key


GAPS = 120  # surveillance gaps in Hangzhou: three pages of the cockpit's warnings


@pytest.fixture
def world(hub):
    """The hub above, with body cb1 enrolled (in Suzhou), 120 certificates' surveillance gaps
    and an auditor's double employment in Hangzhou, in January and March (none in February),
    a warning without a region, and a scan grading cb1."""
    signer = load_signers(hub.settings.keys_dir)[0]
    enrol = EnrolBody(
        "cb1",
        "示例认证中心",
        "Example Certification",
        "320500",
        hub.ledger.origin_of(SHA256),
        signer.verifier().vkey(),
        "k1",
        multibase_public_key(Ed25519PrivateKey.generate().public_key()),
    )
    hub.bus.handle(enrol, SYSTEM)
    gaps = [
        {
            **_hit(f"C-{i:03d}", "330106"),
            "indicator": "surveillance-gap",
            "entity_kind": "certificate",
            "value": 400.0 + i,
            "threshold": 366.0,
            "day": "2026-01-15" if i % 2 else "2026-03-15",
        }
        for i in range(GAPS)
    ]
    twice = {
        **_hit("2013-N1QMS-5447725", "330100"),
        "indicator": "auditor-multiply-employed",
        "entity_kind": "auditor",
        "value": 1071.0,
        "threshold": 0.0,
        "day": "2026-03-01",
    }
    nowhere = {**_hit("A-9", ""), "day": "2026-03-02"}
    hub.bus.handle(RaiseWarnings([*gaps, twice, nowhere]), SYSTEM)
    grade = {"body_id": "cb1", "grade": "C", "score": 1.98, "exposure": 55,
             "top": ["mill-fast", "report-late"]}  # fmt: skip
    hub.bus.handle(RecordScan(date(2026, 5, 31), {}, [grade], {}, []), SYSTEM)
    return hub


def _ids(text: str) -> list[str]:
    return re.findall(r'<tr data-warning="([^"]+)"', text)


def test_the_cockpit_says_kinds_regions_bodies_and_values_in_the_pages_language(world):
    web = _signed_in(world, "reg-zj")
    zh = web.get("/hub").text
    auditor = warning_id("auditor-multiply-employed", "auditor", "2013-N1QMS-5447725")
    row = re.search(rf'<tr data-warning="{auditor}">(.*?)</tr>', zh, re.S)[1]
    assert "审核员 2013-N1QMS-5447725" in row and "auditor " not in row
    assert '<span data-region="330100" title="330100">杭州市</span>' in row
    assert '<a href="/hub/bodies/cb1" data-body="cb1">示例认证中心</a>' in row
    assert "1071 天 / 0 天" in row and ".00" not in row
    certificate = warning_id("surveillance-gap", "certificate", "C-119")
    gap = re.search(rf'<tr data-warning="{certificate}">(.*?)</tr>', zh, re.S)[1]
    assert "证书 C-119" in gap and "519 天 / 366 天" in gap
    assert '<span data-region="330106" title="330106">杭州市</span>' in gap
    page = web.get(f"/hub/warnings/{auditor}").text
    assert "审核员 2013-N1QMS-5447725" in page and "1071 天 / 0 天" in page
    assert 'title="330100">杭州市<' in page and ">示例认证中心</a>" in page
    web.get("/lang/en?next=/hub")
    en = web.get("/hub").text
    row = re.search(rf'<tr data-warning="{auditor}">(.*?)</tr>', en, re.S)[1]
    assert "auditor 2013-N1QMS-5447725" in row and 'title="330100">Hangzhou<' in row
    assert ">Example Certification</a>" in row and "1071 days / 0 days" in row
    # The body's portrait says the same of its warnings.
    portrait = _signed_in(world, "reg-js").get("/hub/bodies/cb1").text
    assert 'title="320500">苏州市<' in portrait


def test_the_risk_grades_name_the_body_and_join_reasons_as_each_language_does(world):
    web = _signed_in(world, "reg-js")
    zh = web.get("/hub").text
    row = re.search(r'<tr data-grade="cb1">(.*?)</tr>', zh, re.S)[1]
    assert '<a href="/hub/bodies/cb1">示例认证中心</a>' in row
    assert "申请至发证时间过短；" in row and "; " not in row
    web.get("/lang/en?next=/hub")
    row = re.search(r'<tr data-grade="cb1">(.*?)</tr>', web.get("/hub").text, re.S)[1]
    assert ">Example Certification</a>" in row and "; " in row and "；" not in row


def test_the_warnings_come_a_page_at_a_time_in_order_and_a_bad_page_is_refused(world):
    web = _signed_in(world, "reg-zj")
    with world.engine.connect() as conn:
        order = [
            w["id"]
            for w in hub_views.warning_rows(conn, ["330000"], limit=1000)
            if w["status"] not in ("confirmed", "dismissed")
        ]
    assert len(order) == GAPS + 1
    first = web.get("/hub")
    assert "第 1–50 条，共 121 条" in first.text and 'rel="next" data-page="2"' in first.text
    last = web.get("/hub?page=3")
    assert last.status_code == 200 and "第 101–121 条，共 121 条" in last.text
    pages = [_ids(web.get(f"/hub?page={n}").text) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [50, 50, 21]
    assert [i for p in pages for i in p] == order
    for bad in ("0", "4", "-1", "abc", "²", "1" * 30):
        refused = web.get("/hub", params={"page": bad})
        assert refused.status_code == 422, bad
        assert 'role="alert"' in refused.text and "page：须为 1 至 3 的整数" in refused.text
        assert _ids(refused.text) == pages[0]
    web.get("/lang/en?next=/hub")
    assert "51–100 of 121" in web.get("/hub?page=2").text


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_downloads_hold_the_pages_rows_for_whom_the_page_shows_them(world):
    web = _signed_in(world, "reg-zj")
    shown = [i for n in (1, 2, 3) for i in _ids(web.get(f"/hub?page={n}").text)]
    assert 'href="/hub/export/warnings?format=xlsx"' in web.get("/hub").text
    got = web.get("/hub/export/warnings?format=csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    head, *rows = _csv(got)
    assert head[:5] == ["优先级", "指标", "对象类型", "对象编号", "认证机构"]
    assert [r[-1] for r in rows] == shown
    twice = next(r for r in rows if r[3] == "2013-N1QMS-5447725")
    assert twice[2:10] == [
        "审核员", "2013-N1QMS-5447725", "示例认证中心", "cb1", "杭州市", "330100", "1071 天", "0 天"
    ]  # fmt: skip
    book = load_workbook(io.BytesIO(web.get("/hub/export/warnings?format=xlsx").content))
    cells = list(book.active.iter_rows(values_only=True))
    assert [r[-1] for r in cells[1:]] == shown
    assert web.get("/hub/export/warnings?format=pdf").status_code == 422
    assert web.get("/hub/export/nothing?format=csv").status_code == 404
    # Another region's regulator downloads its own rows: none of Zhejiang's.
    shanghai = _csv(_signed_in(world, "reg-sh").get("/hub/export/warnings?format=csv"))
    assert [r[-1] for r in shanghai[1:]] == [warning_id("checkin-far", "audit", "A-2")]
    assert not set(shown) & {r[-1] for r in shanghai[1:]}
    # A body's staff, an account without a role and nobody are refused.
    for who in ("staff", "plain"):
        assert _signed_in(world, who).get("/hub/export/warnings?format=csv").status_code == 403
    anonymous = TestClient(create_app(world, schedule=False), base_url="https://testserver")
    answer = anonymous.get("/hub/export/warnings?format=csv", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    # The risk grades: the page's rows, the reasons joined as the page joins them.
    jiangsu = _signed_in(world, "reg-js")
    graded = re.findall(r'<tr data-grade="([^"]+)"', jiangsu.get("/hub").text)
    head, *rows = _csv(jiangsu.get("/hub/export/grades?format=csv"))
    assert [r[1] for r in rows] == graded == ["cb1"]
    assert rows[0][0] == "示例认证中心" and rows[0][-1].count("；") == 1
    assert _csv(_signed_in(world, "reg-zj").get("/hub/export/grades?format=csv"))[1:] == []


def test_the_monthly_table_shows_every_month_and_names_warnings_without_a_region(world):
    nation = _signed_in(world, "reg-cn").get("/hub").text
    table = nation[nation.index('id="situation"') :]
    months = re.findall(r"<th>(\d{4}-\d{2})</th>", table)
    assert months == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    unknown = re.search(
        r'<tr data-month-row="地区不明"><th scope="row">地区不明</th>(.*?)</tr>', table
    )
    assert unknown and re.findall(r"<td>(\d+)</td>", unknown[1]) == ["0", "0", "1", "0", "0"]
    zhejiang = re.search(r'<tr data-month-row="浙江">.*?</th>(.*?)</tr>', table)
    assert re.findall(r"<td>(\d+)</td>", zhejiang[1]) == ["60", "0", "61", "0", "0"]
    # In the warnings list too, the warning without a region says so.
    last = _signed_in(world, "reg-cn").get("/hub?page=3").text
    row = re.search(
        rf'<tr data-warning="{warning_id("checkin-far", "audit", "A-9")}">(.*?)</tr>', last, re.S
    )
    assert '<span data-region="">地区不明</span>' in row[1] and "审核 A-9" in row[1]


def test_hot_spot_cities_lie_in_the_regulators_jurisdiction_and_are_named_in_its_language(world):
    # Gi* smooths over neighbours: the nation's view calls Shanghai and Jiangsu's cities hot
    # next to the Hangzhou and Suzhou warnings. Zhejiang's view weighs Zhejiang's cities
    # only: one outside would count as quiet, its warnings being another regulator's.
    hot = re.compile(r'<li data-hot="(\d+)">([^<]+)</li>')
    nation = hot.findall(_signed_in(world, "reg-cn").get("/hub").text)
    assert {code[:2] for code, _ in nation} >= {"31", "32", "33"}, nation
    assert all(re.search(r"（\w+热点）$", text) for _, text in nation), nation
    zhejiang = hot.findall(_signed_in(world, "reg-zj").get("/hub").text)
    assert all(code.startswith("33") for code, _ in zhejiang), zhejiang
    english = _signed_in(world, "reg-cn")
    english.get("/lang/en?next=/hub")
    words = hot.findall(english.get("/hub").text)
    assert words and all(re.search(r" \(\w+ hot spot\)$", text) for _, text in words), words


def test_every_province_tile_shows_its_whole_name_in_the_pages_language(world):
    from qcert.web.provinces import PROVINCES

    english = _signed_in(world, "reg-cn")
    english.get("/lang/en?next=/hub")
    for lang, page in (
        ("zh-CN", _signed_in(world, "reg-cn").get("/hub")),
        ("en", english.get("/hub")),
    ):
        tiles = re.findall(r'<g data-province="(\d{2})0000".*?</g>', page.text, re.S)
        assert len(tiles) == len(PROVINCES)
        for code in tiles:
            block = re.search(rf'<g data-province="{code}0000".*?</g>', page.text, re.S)[0]
            words = " ".join(re.findall(r"<text[^>]*data-label>([^<]+)</text>", block))
            zh, en, _, _ = PROVINCES[code]
            assert words == (zh if lang == "zh-CN" else en), (code, words)


def test_the_inspection_pages_lead_a_regulator_back_to_the_cockpit_and_nobody_else(world):
    page = _signed_in(world, "reg-cn").get("/inspections").text
    assert '<a href="/hub">' in page
    for who in ("staff", "plain"):
        assert '<a href="/hub">' not in _signed_in(world, who).get("/inspections").text
    anonymous = TestClient(create_app(world, schedule=False), base_url="https://testserver")
    assert '<a href="/hub">' not in anonymous.get("/inspections").text
