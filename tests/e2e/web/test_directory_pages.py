"""The body's organisation and auditor pages over TestClient: what they show against what was
recorded, who may open them (the access policy: the body's staff who work with clients; an
auditor's record for those who assign competence and the auditor), that an organisation with
no dealings with the body is not found, and that every bad list parameter is named."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from qcert.lifecycle import (
    ApplyForCertification,
    OpenAccount,
    OpenCase,
    PlanAudit,
    QualifyAuditor,
    RaiseFinding,
    RegisterAuditor,
    RegisterClient,
    ReviewContract,
)
from qcert.store import create_engine, migrate
from qcert.web import auditor_pages
from tests.e2e.web.staffed_world import CLIENTS, ISO9001, PASSWORD, Staffed, staff

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the body's day
SOON = TODAY + timedelta(days=20)
# Accounts besides the staffed world's: cb1's reporter, and a second auditor of cb1.
EXTRA = {"rep": ["reporter@body:cb1"], "nov": ["auditor@body:cb1"]}
CB1_CLIENT_STAFF = {"root", "admin1", "rev", "plan", "lead", "dec", "nov"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staffed]:
    """The world of :func:`build`, shared by the module's tests."""
    yield from build(tmp_path_factory.mktemp("directory"))


def build(root: Path) -> Iterator[Staffed]:
    """cb1 certified c1 (ISO 9001) and plans a second certification's audit with lead and
    nov (a finding open, an appeal open); cb2 certified c2, which has nothing at cb1; c3 has
    nothing anywhere."""
    engine = create_engine(f"sqlite:///{root / 'qcert.db'}")
    migrate(engine)
    world = staff(engine, root)
    run = world.run
    for name, roles in EXTRA.items():
        run(OpenAccount(name, name, roles, PASSWORD))
    run(RegisterAuditor("nov", "2024-N1QMS-nov", "新审核员", "cb1"))
    run(QualifyAuditor("nov", "iso9001", [17]))
    run(QualifyAuditor("nov", "iso9001", [18]))
    on = date(TODAY.year - 1, 6, 1)
    # Both applications are filed before one is granted (a live certificate bars a second).
    world.apply("c1-next", "cb1", "c1")
    world.certify("c1-qms", "cb1", "c1", "N-C1-QMS", on)
    world.certify("c2-qms", "cb2", "c2", "N-C2-QMS", on)  # the scenario's clock runs forward
    run(ReviewContract("c1-next", "rev"))
    team = [{"auditor": "lead", "role": "lead"}, {"auditor": "nov", "role": "auditor"}]
    run(PlanAudit("c1-next", "s1", "stage1", team, "FS01", SOON, SOON, 1.0, ["hq"]))
    run(RaiseFinding("c1-qms", "f1", "s2", "minor", "8.5", "首件检验记录缺失", "lead"))
    run(OpenCase("ap1", "appeal", "c1-qms", "admin1", "对不符合项分级有异议"))
    world.upload("c1", "c1-manual.txt", "质量手册 c1".encode(), "c1-qms")
    world.upload("c1", "c1-private.txt", "自留文件".encode())
    run(
        RegisterClient(
            "c3", "91330106MA2GL2X144", "闲置工贸", "Idle Trading", "杭州", "330106", 5, []
        )
    )
    yield world
    engine.dispose()


@pytest.fixture(scope="module")
def browsers(world: Staffed) -> dict[str, TestClient]:
    return {}


def _as(world: Staffed, browsers: dict[str, TestClient], who: str) -> TestClient:
    if who not in browsers:
        web = TestClient(world.app(schedule=False), base_url="https://testserver")
        if who != "anonymous":
            form = web.get("/signin")
            csrf = re.search(r'name="csrf" value="([^"]*)"', form.text)[1]
            done = web.post(
                "/signin",
                data={"username": who, "password": PASSWORD, "csrf": csrf},
                follow_redirects=False,
            )
            assert done.status_code == 303, done.text
        browsers[who] = web
    return browsers[who]


@pytest.fixture
def as_(world: Staffed, browsers: dict[str, TestClient]) -> Any:
    return lambda who: _as(world, browsers, who)


# .. what the pages show ......................................................


def test_the_list_shows_the_organisations_the_body_deals_with_and_no_other(as_):
    page = as_("plan").get("/ws/bodies/cb1/clients")
    assert page.status_code == 200
    shown = re.findall(r'<tr data-client="([^"]+)"', page.text)
    # c1 holds cb1's certificate; c2 and c3 have nothing at cb1.
    assert shown == ["c1"]
    assert CLIENTS["c1"][1] in page.text and CLIENTS["c2"][1] not in page.text
    assert 'data-total="1"' in page.text


def test_the_list_finds_by_part_of_the_name_or_the_credit_code_and_escapes_wildcards(as_):
    web = as_("root")  # the platform: cb2's organisations through cb2's list
    for q in ("远方", "faraway", "708461136"):
        found = web.get("/ws/bodies/cb2/clients", params={"q": q})
        assert re.findall(r'<tr data-client="([^"]+)"', found.text) == ["c2"], q
    for q in ("%", "_", "精密"):
        found = web.get("/ws/bodies/cb2/clients", params={"q": q})
        assert 'data-total="0"' in found.text, q


def test_the_list_sorts_by_name_both_ways_in_the_viewers_language(world, as_):
    site = {
        "id": "w",
        "name": "厂区",
        "address": "北京",
        "adcode": "110105",
        "lat": 39.9,
        "lon": 116.4,
    }
    world.run(
        RegisterClient(
            "c4", "91110105MA01ABCD13", "阿尔法制造", "Alpha Works", "北京", "110105", 5, [site]
        )
    )
    world.run(ApplyForCertification("c4-qms", "cb2", "c4", ISO9001, [17], ["w"]))
    web, en = as_("dec2"), {"accept-language": "en"}

    def order(**params: str) -> list[str]:
        text = web.get("/ws/bodies/cb2/clients", params=params, headers=en).text
        return re.findall(r'<tr data-client="([^"]+)"', text)

    assert order() == ["c4", "c2"]  # Alpha Works, Faraway Precision Works
    assert order(sort="-name") == ["c2", "c4"]


def test_the_organisation_page_shows_its_record_and_what_it_has_at_this_body(as_):
    page = as_("rev").get("/ws/bodies/cb1/clients/c1")
    assert page.status_code == 200
    text = page.text
    uscc, zh, _ = CLIENTS["c1"]
    assert uscc in text and zh in text and "北京市海淀区示例路1号" in text
    assert "北京" in text  # the province of its division code 110108
    assert re.findall(r'<tr data-site="([^"]+)"', text) == ["hq", "plant"]
    # Its certifications here, by the scheme's standard and name, with certificate and dates.
    assert re.findall(r'<tr data-certification="([^"]+)"', text) == ["c1-next", "c1-qms"]
    assert "ISO 9001:2015 / GB/T 19001-2016" in text and "urn:qcert" not in text
    assert "N-C1-QMS" in text and 'data-status="active"' in text
    due = re.search(r'data-certification="c1-qms".*?data-next-due="([^"]*)"', text, re.S)[1]
    assert due and date.fromisoformat(due) > TODAY - timedelta(days=400)
    # Audits with their teams linked to the auditors' records, the open finding, the appeal.
    assert 'data-audit="c1-next/s1"' in text and 'data-audit="c1-qms/s2"' in text
    assert 'data-auditor-page="nov"' in text
    assert 'data-finding="c1-qms/f1"' in text and 'data-case="ap1"' in text
    # The document given for cb1's certification, not the one the organisation kept.
    assert "c1-manual.txt" in text and "c1-private.txt" not in text
    assert 'href="/ws/bodies/cb1/clients/c1/streams"' in text
    assert "data-contacts" in text  # what qcert does not record is said, not made up


def test_the_organisation_page_shows_nothing_of_another_bodys_dealings(world, as_):
    world.apply("c1-at-cb2", "cb2", "c1")
    text = as_("dec2").get("/ws/bodies/cb2/clients/c1").text
    assert re.findall(r'<tr data-certification="([^"]+)"', text) == ["c1-at-cb2"]
    for theirs in ("N-C1-QMS", "c1-manual.txt", "ap1", "首件检验记录缺失"):
        assert theirs not in text


def test_an_organisation_without_dealings_with_the_body_is_not_found(as_):
    web = as_("admin1")
    for path in ("/ws/bodies/cb1/clients/c2", "/ws/bodies/cb1/clients/c3"):
        page = web.get(path)
        assert page.status_code == 404 and 'data-status="404"' in page.text, path
        assert "远方精工" not in page.text and "闲置工贸" not in page.text
    assert web.get("/ws/bodies/cb1/clients/" + "x" * 65).status_code == 404


def test_the_auditor_page_shows_the_competence_matrix_with_its_sources(as_):
    page = as_("plan").get("/ws/bodies/cb1/auditors/nov")
    assert page.status_code == 200
    text = page.text
    assert "2024-N1QMS-nov" in text and "新审核员" in text
    assert 'data-employer="cb1"' in text and "东方质量认证中心" in text
    # Sector 17 and 18 came from two qualification events: each row names its own entry.
    rows = dict(re.findall(r'<tr data-sector="(\d+)">.*?data-proof="(\d+)"', text, re.S))
    assert set(rows) == {"17", "18"} and rows["17"] != rows["18"]
    assert "ISO 9001:2015 / GB/T 19001-2016" in text
    assert "data-validity" in text  # not recorded, and the page says so
    # The planned audit is a commitment, with the organisation and the role in the team.
    upcoming = text.split('data-rows="upcoming"')[1].split("</table>")[0]
    assert 'data-audit="c1-next/s1"' in upcoming and "示例精密制造有限公司" in upcoming
    assert "审核员" in upcoming and SOON.isoformat() in upcoming


def test_the_lead_auditors_history_holds_the_audits_done(as_):
    text = as_("dec").get("/ws/bodies/cb1/auditors/lead").text
    history = text.split('data-rows="history"')[1].split("</table>")[0]
    assert set(re.findall(r'data-audit="([^"]+)"', history)) == {"c1-qms/s1", "c1-qms/s2"}
    assert "c1-next" not in history  # lead's planned audit is a commitment, not history
    assert "审核组长" in history  # role: lead


def test_the_auditor_list_finds_by_name_or_registration_number(as_):
    web = as_("admin1")
    everyone = web.get("/ws/bodies/cb1/auditors").text
    assert re.findall(r'<tr data-auditor="([^"]+)"', everyone) == ["lead", "nov"]
    for q in ("新审核", "2024-N1QMS", "NOV"):
        found = web.get("/ws/bodies/cb1/auditors", params={"q": q}).text
        assert re.findall(r'<tr data-auditor="([^"]+)"', found) == ["nov"], q
    # Words of the registration's document that are not its fields find nothing.
    assert 'data-total="0"' in web.get("/ws/bodies/cb1/auditors", params={"q": "name_zh"}).text


# .. who may open them ........................................................

CLIENT_PATHS = ("/ws/bodies/cb1/clients", "/ws/bodies/cb1/clients/c1")
AUDITOR_PATHS = ("/ws/bodies/cb1/auditors", "/ws/bodies/cb1/auditors/lead")


@pytest.mark.parametrize(
    ("who", "client_pages", "auditor_pages"),
    [
        ("admin1", 200, 200),
        ("rev", 200, 200),
        ("plan", 200, 200),
        ("dec", 200, 200),
        ("root", 200, 200),
        # an auditor reads the organisations, but of the auditors only their own record
        ("nov", 200, 403),
        ("rep", 403, 403),  # a reporter's work is the reports, not the clients
        ("dec2", 403, 403),  # another body's staff
        ("client", 403, 403),  # an organisation's user
        ("cadmin", 403, 403),
    ],
)
def test_who_may_open_the_pages_is_the_access_policys_answer(as_, who, client_pages, auditor_pages):
    web = as_(who)
    for paths, expected in ((CLIENT_PATHS, client_pages), (AUDITOR_PATHS, auditor_pages)):
        for path in paths:
            page = web.get(path)
            assert page.status_code == expected, f"{who} {path}: {page.status_code}"
            if expected == 403:
                assert 'data-status="403"' in page.text
                assert "示例精密制造" not in page.text and "2020-N1QMS-lead" not in page.text


def test_anonymous_visitors_are_sent_to_sign_in(as_):
    web = as_("anonymous")
    for path in (*CLIENT_PATHS, *AUDITOR_PATHS):
        page = web.get(path, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/signin")


def test_an_auditor_reads_their_own_record_and_the_nav_leads_there(as_):
    web = as_("nov")
    own = web.get("/ws/bodies/cb1/auditors/nov")
    assert own.status_code == 200 and "2024-N1QMS-nov" in own.text
    assert 'href="/ws/bodies/cb1/auditors/nov" data-nav="auditors"' in own.text
    # Nor by a query parameter that names them on the list's address.
    assert web.get("/ws/bodies/cb1/auditors", params={"auditor_id": "nov"}).status_code == 403
    # The team's other member is not a link for them.
    page = web.get("/ws/bodies/cb1/clients/c1").text
    assert 'data-auditor-page="nov"' in page and 'data-auditor-page="lead"' not in page


def test_another_bodys_auditor_is_not_found_under_this_body(as_):
    page = as_("admin1").get("/ws/bodies/cb1/auditors/far")
    assert page.status_code == 404 and "2020-N1QMS-far" not in page.text


def test_the_nav_links_only_the_pages_the_viewer_may_open(as_):
    rep = as_("rep").get("/ws/bodies/cb1").text
    assert 'data-nav="clients"' not in rep and 'data-nav="auditors"' not in rep
    plan = as_("plan").get("/ws/bodies/cb1").text
    assert 'href="/ws/bodies/cb1/clients" data-nav="clients"' in plan
    assert 'href="/ws/bodies/cb1/auditors" data-nav="auditors"' in plan


# .. inputs .....................................................................


@pytest.mark.parametrize(
    ("params", "error", "zh", "en"),
    [
        ({"q": "x" * 101}, "error.q", "q（查找文字）：最多 100 个字符", "q (the text to find)"),
        ({"sort": "uscc"}, "error.sort", "sort（排序）：须为 name 或 -name", "sort (the order)"),
        ({"page": "0"}, "error.page", "page（页码）", "page (the page number)"),
        ({"page": "²"}, "error.page", "page（页码）", "page (the page number)"),
        ({"page": "9" * 30}, "error.page", "page（页码）", "page (the page number)"),
        ({"page": "9" * 5000}, "error.page", "page（页码）", "page (the page number)"),
    ],
)
def test_a_bad_list_parameter_is_named_in_both_languages_and_never_a_500(
    as_, params, error, zh, en
):
    web = as_("admin1")
    for path in ("/ws/bodies/cb1/clients", "/ws/bodies/cb1/auditors"):
        if "sort" in params and path.endswith("auditors"):
            continue  # the auditors are listed by id only
        page = web.get(path, params=params)
        assert page.status_code == 422 and f'data-error="{error}"' in page.text, path
        assert zh in page.text
        english = web.get(path, params=params, headers={"accept-language": "en"})
        assert en in english.text


# .. where organisations and auditors are named ...............................


def test_the_certification_pages_the_dashboard_and_the_planner_link_to_them(as_):
    web = as_("plan")
    record = web.get("/ws/bodies/cb1/certifications/c1-next").text
    assert 'href="/ws/bodies/cb1/clients/c1" data-client-page="c1"' in record
    team = record.split('data-rows="audits"')[1].split("</table>")[0]
    assert 'href="/ws/bodies/cb1/auditors/nov" data-auditor-page="nov"' in team
    # The planner's team table names each auditor with a link to their record.
    planner = record.split('data-rows="team"')[1].split("</table>")[0]
    assert 'data-auditor-page="lead"' in planner and 'data-auditor-page="nov"' in planner
    listed = web.get("/ws/bodies/cb1/certifications").text
    assert listed.count('data-client-page="c1"') == 2  # c1-next and c1-qms
    board = web.get("/ws/bodies/cb1").text
    assert 'href="/ws/bodies/cb1/clients" data-card="clients"' in board


def test_a_viewer_the_policy_refuses_gets_names_not_links(as_):
    # A reporter sees the certification's page, but not the organisation's or the auditor's.
    record = as_("rep").get("/ws/bodies/cb1/certifications/c1-qms").text
    assert "示例精密制造有限公司" in record
    assert "data-client-page" not in record and "data-auditor-page" not in record


def test_a_long_history_shows_the_newest_audits_and_says_how_many_there_are(as_, monkeypatch):
    monkeypatch.setattr(auditor_pages, "HISTORY", 1)
    text = as_("dec").get("/ws/bodies/cb1/auditors/lead").text
    history = text.split('data-rows="history"')[1].split("</table>")[0]
    assert len(re.findall(r'data-audit="([^"]+)"', history)) == 1
    assert 'data-history-total="2"' in text and "共 2 次审核，显示最近 1 次。" in text
