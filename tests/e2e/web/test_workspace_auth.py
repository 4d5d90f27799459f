"""Workspace sessions: sign-in, CSRF, rate limit, language, the public ledger page."""

import re

import pytest
from fastapi.testclient import TestClient

from qcert.ledger import verify_checkpoint
from qcert.web.i18n import MESSAGES
from tests.e2e.conftest import PASSWORD, api, services  # noqa: F401


@pytest.fixture
def web(api):  # noqa: F811
    client, _ = api
    # Session cookies are Secure: the browser sends them over HTTPS (and to localhost) only.
    return TestClient(client.app, base_url="https://testserver")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', html)[1]


def sign_in(web, who, password=PASSWORD, next="/workspace"):
    form = web.get("/signin")
    return web.post(
        "/signin",
        data={"username": who, "password": password, "csrf": _csrf(form.text), "next": next},
        follow_redirects=False,
    )


def test_every_message_has_both_languages():
    for key, (zh, en) in MESSAGES.items():
        assert zh and en and zh != en, key
        assert re.search(r"[\u4e00-\u9fff]", zh) or key == "nav.language", key


def test_sign_in_sets_a_guarded_session_and_lands_on_the_users_main_page(web):
    assert web.get("/workspace", follow_redirects=False).headers["location"] == (
        "/signin?next=%2Fworkspace"
    )
    done = sign_in(web, "admin1")
    # A body's administrator lands on the body's dashboard, not on a list of roles.
    assert done.status_code == 303 and done.headers["location"] == "/ws/bodies/cb1"
    cookie = done.headers["set-cookie"].lower()
    assert "qcert_session=" in cookie
    assert all(flag in cookie for flag in ("httponly", "secure", "samesite=strict"))
    home = web.get("/workspace")
    assert home.status_code == 200 and 'data-role="cb-admin@body:cb1"' in home.text
    assert "机构管理员 · 认证机构 cb1" in home.text  # the role by its name, not its code
    assert 'href="/ws/bodies/cb1"' in home.text and "c1" not in re.findall(
        r"/portal/(\w+)", home.text
    )
    assert "default-src 'none'" in home.headers["content-security-policy"]


def test_wrong_passwords_are_refused_then_throttled(web):
    wrong = sign_in(web, "admin1", "not the password")
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    for _ in range(4):
        sign_in(web, "admin1", "still not it")
    throttled = sign_in(web, "admin1")  # even the right password waits now
    assert throttled.status_code == 429 and "失败次数过多" in throttled.text
    assert web.get("/workspace", follow_redirects=False).status_code == 303


def test_forms_without_their_csrf_token_are_refused(web):
    web.get("/signin")
    forged = web.post("/signin", data={"username": "admin1", "password": PASSWORD, "csrf": "x"})
    assert forged.status_code == 403 and "表单已过期或来源不明" in forged.text
    assert sign_in(web, "admin1").status_code == 303
    refused = web.post("/signout", data={"csrf": "not-the-token"})
    assert refused.status_code == 403
    assert web.get("/workspace").status_code == 200  # still signed in
    token = _csrf(web.get("/workspace").text)
    out = web.post("/signout", data={"csrf": token}, follow_redirects=False)
    assert (
        out.status_code == 303 and web.get("/workspace", follow_redirects=False).status_code == 303
    )


def test_next_never_leaves_the_site(web):
    done = sign_in(web, "admin1", next="//evil.example/x")
    assert done.headers["location"] == "/ws/bodies/cb1"  # the main page, never elsewhere


def test_the_language_switch_is_remembered(web):
    sign_in(web, "client")
    assert "工作台" in web.get("/workspace").text
    switched = web.get("/lang/en", params={"next": "/workspace"}, follow_redirects=False)
    assert switched.headers["location"] == "/workspace"
    page = web.get("/workspace")
    assert "Workspace" in page.text and 'lang="en"' in page.text and "工作台" not in page.text
    assert 'href="/portal/c1"' in page.text


def test_the_ledger_page_publishes_a_checkpoint_anyone_can_check(web, services):  # noqa: F811
    services.ledger.sign_due()  # what the server's schedule does within seconds
    page = web.get("/transparency")
    assert page.status_code == 200
    note = re.search(r'data-checkpoint="sha256">(.*?)</pre>', page.text, re.S)[1]
    import html

    vkeys = re.findall(r"<li><code>([^<]+)</code></li>", page.text)
    checkpoint, _, good = verify_checkpoint(html.unescape(note), [html.unescape(k) for k in vkeys])
    assert checkpoint.size == int(re.search(r'data-size="(\d+)"', page.text)[1]) and good


def test_a_cookie_copied_before_sign_out_no_longer_works(web):
    assert sign_in(web, "admin1").status_code == 303
    stolen = web.cookies.get("qcert_session")
    token = _csrf(web.get("/workspace").text)
    web.post("/signout", data={"csrf": token})
    thief = TestClient(web.app, base_url="https://testserver", cookies={"qcert_session": stolen})
    assert thief.get("/workspace", follow_redirects=False).status_code == 303


def test_changing_the_password_asks_for_the_current_one_and_ends_other_sessions(web):
    other = TestClient(web.app, base_url="https://testserver")
    sign_in(other, "admin1")
    sign_in(web, "admin1")
    token = _csrf(web.get("/account").text)
    new = "another long password"
    wrong = web.post(
        "/account/password",
        data={"csrf": token, "current_password": "guess", "password": new, "password_again": new},
    )
    assert wrong.status_code == 422 and "当前密码" in wrong.text
    assert other.get("/workspace", follow_redirects=False).status_code == 200
    done = web.post(
        "/account/password",
        data={"csrf": token, "current_password": PASSWORD, "password": new, "password_again": new},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/account?done=password"
    assert web.get("/workspace", follow_redirects=False).status_code == 200  # this one goes on
    assert other.get("/workspace", follow_redirects=False).status_code == 303  # ended
    ended = web.post("/account/sessions", data={"csrf": token}, follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"] == "/signin"
    assert web.get("/workspace", follow_redirects=False).status_code == 303


def test_an_invitation_brings_a_new_user_into_the_organisation(web):
    sign_in(web, "cadmin")
    page = web.get("/portal/c1/users")
    assert page.status_code == 200 and 'data-form="invite"' in page.text
    made = web.post("/portal/c1/users", data={"csrf": _csrf(page.text), "role": "client-user"})
    assert made.status_code == 200
    code = re.search(r"<code class=\"hash\" data-code>([^<]+)</code>", made.text)[1]
    newcomer = TestClient(web.app, base_url="https://testserver")
    form = newcomer.get("/join", params={"code": code})
    assert form.status_code == 200 and code in form.text
    joined = newcomer.post(
        "/join",
        data={
            "csrf": _csrf(form.text),
            "code": code,
            "account_id": "newcomer",
            "display_name": "新同事",
            "password": "a long enough password",
        },
        follow_redirects=False,
    )
    assert joined.status_code == 303
    sign_in(newcomer, "newcomer", password="a long enough password")
    assert "client-user@client:c1" in newcomer.get("/workspace").text
    again = newcomer.post(
        "/join",
        data={"csrf": _csrf(newcomer.get("/join").text), "code": code},
    )
    assert again.status_code == 422  # a code works once


def test_the_account_forms_need_a_session_and_its_token(web):
    for path in ("/account/password", "/account/sessions"):
        anonymous = web.post(path, data={}, follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    sign_in(web, "admin1")
    for path in ("/account/password", "/account/sessions"):
        forged = web.post(path, data={"csrf": "forged", "current_password": PASSWORD})
        assert forged.status_code == 403 and "表单已过期或来源不明" in forged.text
    assert web.get("/workspace", follow_redirects=False).status_code == 200  # nothing ended


def test_only_the_organisations_administrator_invites_and_no_body_consents_for_it(web):
    sign_in(web, "client")  # a user of c1, not its administrator
    page = web.get("/portal/c1/users")
    assert page.status_code == 200 and 'data-form="invite"' not in page.text
    refused = web.post("/portal/c1/users", data={"csrf": _csrf(page.text), "role": "client-user"})
    assert refused.status_code == 403 and "data-code" not in refused.text
    staff = TestClient(web.app, base_url="https://testserver")
    sign_in(staff, "admin1")
    token = _csrf(staff.get("/workspace").text)
    # c1 has not applied to cb1: its pages are not cb1's to see, nor its consents to give.
    assert staff.get("/portal/c1/users").status_code == 403
    forged = staff.post("/portal/c1/consents", data={"csrf": token, "body_id": "cb1"})
    assert forged.status_code == 403
