"""The notices page: each signed-in user's own notices, newest first, paged, marked read one by
one, each linking to its record; the header's unread count; refusals for everyone else."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qcert.notices import Due, SendNotices
from qcert.store import tables as t
from tests.e2e.web.noticed_world import TODAY, noticed
from tests.e2e.web.staffed_world import PASSWORD


@pytest.fixture
def world(engine, tmp_path):
    w = noticed(engine, tmp_path)
    w.services.notifier.run(TODAY)
    w.client = TestClient(w.app(schedule=False), base_url="https://testserver")
    yield w
    w.services.close()


def _csrf(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', text)[1]


def signed_in(world, who: str) -> TestClient:
    web = TestClient(world.client.app, base_url="https://testserver")
    form = web.get("/signin")
    done = web.post(
        "/signin",
        data={"username": who, "password": PASSWORD, "csrf": _csrf(form.text), "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return web


def _notices(text: str) -> list[tuple[str, str, str]]:
    return re.findall(r'data-notice="([^"]+)" data-kind="([^"]+)" data-read="(\w+)"', text)


def _unread(text: str) -> int:
    return int(re.search(r'data-notices-unread="(\d+)"', text)[1])


def test_anonymous_visitors_are_sent_to_sign_in(world):
    events = world.events()
    page = world.client.get("/ws/notices", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin?next=")
    for path in ("/ws/notices/n-0/read", "/ws/notices/address"):
        posted = world.client.post(path, data={"csrf": "x"}, follow_redirects=False)
        assert posted.status_code == 303 and posted.headers["location"].startswith("/signin")
    assert world.events() == events


def test_an_organisations_user_sees_its_overdue_finding_and_follows_it(world):
    web = signed_in(world, "cadmin")
    page = web.get("/ws/notices")
    assert page.status_code == 200
    assert [k for _, k, _ in _notices(page.text)] == ["finding-overdue"]
    assert _unread(page.text) == 1
    target = re.search(r'<a href="([^"]+)" data-notice-link>', page.text)[1]
    assert target == "/portal/c1/findings#finding-c1-b-f1"
    assert 'id="finding-c1-b-f1"' in web.get(target.split("#")[0]).text
    assert _unread(web.get("/workspace").text) == 1  # the header counts on every page


def test_staff_see_what_their_roles_are_told_and_others_nothing(world):
    kinds = {k for _, k, _ in _notices(signed_in(world, "admin1").get("/ws/notices").text)}
    assert kinds == {
        "finding-overdue",
        "answer-waiting",
        "surveillance-due",
        "suspension-ending",
        "case-open",
    }
    page = signed_in(world, "admin1").get("/ws/notices").text
    assert '/ws/bodies/cb1/cases/k1"' in page  # the case's own page
    for outsider in ("dec2", "client2", "rev"):
        text = signed_in(world, outsider).get("/ws/notices").text
        assert _notices(text) == [] and 'data-empty="notices"' in text
        assert _unread(text) == 0 and "c1-b" not in text


def test_marking_read_is_the_recipients_alone(world):
    owner = signed_in(world, "cadmin")
    page = owner.get("/ws/notices")
    ((nid, _, read),) = _notices(page.text)
    assert read == "no"
    other = signed_in(world, "client")  # the same organisation, but not the recipient
    refused = other.post(
        f"/ws/notices/{nid}/read",
        data={"csrf": _csrf(other.get("/ws/notices").text), "page": "1"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    events = world.events()
    done = owner.post(
        f"/ws/notices/{nid}/read",
        data={"csrf": _csrf(page.text), "page": "1"},
    )
    assert done.status_code == 200 and 'data-done="marked"' in done.text
    assert _notices(done.text) == [(nid, "finding-overdue", "yes")]
    assert _unread(done.text) == 0
    assert world.events() == events + 1


def test_notices_come_newest_first_twenty_to_a_page(world):
    older = [
        Due("plan", "case-open", "body", "c1-a", f"k{i:02d}", "", "cb1", "c1") for i in range(25)
    ]
    world.services.clock.now = world.services.clock.now.replace(year=2015)  # sent "earlier"
    world.run(SendNotices(tuple(older)))
    web = signed_in(world, "plan")
    first = web.get("/ws/notices")
    rows = _notices(first.text)
    assert len(rows) == 20 and 'data-page="1"' in first.text
    assert rows[0][1] == "surveillance-due"  # the newest, sent by the run
    second = web.get("/ws/notices?page=2")
    assert len(_notices(second.text)) == 6 and 'rel="prev"' in second.text
    # A page that is not one is named (422), and the first page shown beneath.
    for bad in ("0", "-1", "abc", "99999999999", "1e9", "²", "9" * 5000):
        refused = web.get(f"/ws/notices?page={bad}")
        assert refused.status_code == 422 and 'data-rule="input.page"' in refused.text
        assert len(_notices(refused.text)) == 20


def test_an_email_address_is_checked_and_kept(world):
    web = signed_in(world, "lead")
    page = web.get("/ws/notices")
    bad = web.post("/ws/notices/address", data={"csrf": _csrf(page.text), "email": "lead at x"})
    assert bad.status_code == 422
    assert "email" in bad.text and ("电子邮件地址" in bad.text or "e-mail address" in bad.text)
    good = web.post(
        "/ws/notices/address", data={"csrf": _csrf(page.text), "email": "lead@cb1.example"}
    )
    assert good.status_code == 200 and 'value="lead@cb1.example"' in good.text
    a = t.notice_addresses.c
    with world.engine.connect() as conn:
        kept = conn.execute(sa.select(a.email).where(a.account_id == "lead")).scalar()
    assert kept == "lead@cb1.example"
    too_long = web.post(
        "/ws/notices/address", data={"csrf": _csrf(page.text), "email": "a" * 5000 + "@x.cn"}
    )
    assert too_long.status_code == 422


def test_a_notice_names_its_certification_and_the_most_pressing_comes_first(world):
    from tests.e2e.web.staffed_world import CLIENTS

    page = signed_in(world, "admin1").get("/ws/notices").text
    dues = re.findall(r'data-label="(?:到期日|Due)"[^>]*>([^<]*)<', page)
    # All sent by one run: dated ones by due date, the undated (a case to handle) last.
    dated = [d for d in dues if d != "—"]
    assert dated == sorted(dated) and len(dated) >= 3, dues
    assert dues[-1] == "—", dues
    titles = re.findall(r"data-notice-link>([^<]+)</a>", page)
    name_zh = CLIENTS["c1"][1]
    assert titles and all(f"{name_zh} · ISO 9001:2015" in title for title in titles), titles
    assert not any("c1-a" in title or "c1-b" in title for title in titles), titles
    english = signed_in(world, "admin1")
    english.get("/lang/en?next=/ws/notices")
    titles = re.findall(r"data-notice-link>([^<]+)</a>", english.get("/ws/notices").text)
    assert all(f"{CLIENTS['c1'][2]} · ISO 9001:2015" in title for title in titles), titles
