"""The auditor's phone check-in page: only the audit's team opens it or posts to it; a
check-in with the device's position and a photo goes through the bus, stores the photo by its
SHA-256 and binds it by SHA-256 and SM3; no position, no photo, a wrong file or a missing CSRF
token record nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qcert.lifecycle import OpenAccount, PlanAudit, ReviewContract
from qcert.store import tables as t
from qcert.store.documents import digests
from tests.e2e.conftest import PASSWORD
from tests.e2e.web.test_body_pages import TODAY, _csrf, signed_in, ws  # noqa: F401
from tests.integration.lifecycle.conftest import SITES, apply, bus, world  # noqa: F401
from tests.photos import jpeg, png_bomb

PAGE = "/ws/bodies/cb1/certifications/run/audits/s1/check-in"
HQ = SITES[0]
# Besides ACCOUNTS: an auditor of cb1 not on the audit's team, and an auditor of cb2.
OTHERS = {"novice": ["auditor@body:cb1"], "far2": ["auditor@body:cb2"]}


@pytest.fixture
def audit(ws):  # noqa: F811
    """A stage 1 audit of cb1 running today, whose team is ``lead`` alone."""
    apply(ws.bus, "run")
    ws.bus(ReviewContract("run", "rev1"))
    team = [{"auditor": "lead", "role": "lead"}]
    ws.bus(PlanAudit("run", "s1", "stage1", team, "FS01", TODAY, TODAY, 1.0, ["hq"]))
    for name, roles in OTHERS.items():
        ws.bus(OpenAccount(name, name, roles, PASSWORD))
        ws.opened.add(name)
    return ws


def _checkins(engine) -> list[dict]:
    with engine.connect() as conn:
        docs = conn.execute(
            sa.select(t.events.c.document)
            .where(t.events.c.type.in_(["certification.checked-in", "certification.checked-out"]))
            .order_by(t.events.c.ledger_index)
        ).scalars()
        return [json.loads(d) for d in docs]


def _send(web: TestClient, photo: bytes | None = None, token: str | None = None, **fields):
    if token is None:
        token = _csrf(web.get(PAGE).text)
    data = {"direction": "in", "lat": str(HQ["lat"]), "lon": str(HQ["lon"]), "accuracy_m": "8"}
    data |= {"csrf": token, **fields}
    files = {"photo": ("site.jpg", photo, "image/jpeg")} if photo is not None else None
    return web.post(PAGE, data=data, files=files, follow_redirects=False)


def test_the_team_member_gets_a_phone_page_with_camera_and_geolocation(audit):
    web = signed_in(audit, "lead")
    page = web.get(PAGE)
    assert page.status_code == 200
    text = page.text
    assert 'name="viewport"' in text and 'src="/static/checkin.js"' in text
    assert 'accept="image/*" capture="environment"' in text
    assert 'data-denied="' in text and "不能手工填写" in text  # the refusal said, in zh-CN
    assert '<button type="submit" id="submit" disabled>' in text  # no position yet
    assert 'name="lat" id="lat" value=""' in text and 'type="number"' not in text
    web.get("/lang/en?next=/")
    english = web.get(PAGE).text
    assert "You refused to share your location" in english and "cannot be typed in" in english
    script = web.get("/static/checkin.js")
    assert script.status_code == 200 and "getCurrentPosition" in script.text
    # The certification's page leads its team member there.
    cert = web.get("/ws/bodies/cb1/certifications/run").text
    assert f'href="{PAGE}" data-checkin-page="s1"' in cert


def test_a_check_in_with_position_and_photo_is_recorded_with_both_digests(audit):
    web = signed_in(audit, "lead")
    photo = jpeg(HQ["lat"], HQ["lon"])
    sent = _send(web, photo)
    assert sent.status_code == 303, sent.text[:500]
    assert sent.headers["location"].endswith("/certifications/run?done=check-in#audits")
    [event] = _checkins(audit.engine)
    found = digests(photo)
    assert event["actor"] == "lead" and event["type"] == "certification.checked-in"
    assert event["data"]["auditor"] == "lead"
    assert (event["data"]["photo_sha256"], event["data"]["photo_sm3"]) == (found.sha256, found.sm3)
    assert event["data"]["accuracy_m"] == 8 and event["data"]["site"] == "hq"
    assert audit.services.documents.read(found.sha256, found.sm3) == photo
    # The time is the server's: the event's, recorded today in the body's zone.
    assert date.fromisoformat(event["at"][:10]) in (TODAY, date.fromordinal(TODAY.toordinal() - 1))
    shown = web.get("/ws/bodies/cb1/certifications/run").text
    assert f'data-photo="{found.sha256}"' in shown
    mine = web.get(PAGE).text
    assert found.sha256 in mine and 'value="out" checked' in mine  # next: the check-out


@pytest.mark.parametrize("who", ["novice", "far2", "client", "plan", "root"])
def test_anyone_but_the_audits_team_is_refused_and_records_nothing(audit, who):
    web = signed_in(audit, who)
    assert web.get(PAGE).status_code == 403
    token = _csrf(web.get("/workspace").text)
    refused = _send(web, jpeg(), token=token)
    assert refused.status_code == 403
    assert _checkins(audit.engine) == []


def test_an_anonymous_visitor_is_sent_to_sign_in_and_records_nothing(audit):
    web = TestClient(audit.app, base_url="https://testserver")
    opened = web.get(PAGE, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/signin")
    posted = _send(web, jpeg(), token="")
    assert posted.status_code == 303 and posted.headers["location"].startswith("/signin")
    assert _checkins(audit.engine) == []


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"lat": "", "lon": ""}, 422, "no position yet"),
        ({"photo": None}, 422, "take a photo of the site"),
        ({"photo": b"%PDF-1.4\n%%EOF\n"}, 422, "must be a JPEG or PNG photo"),
        ({"photo": png_bomb()}, 422, "file:"),
        ({"accuracy_m": "-3"}, 422, "accuracy_m: must be a number of metres"),
        ({"lat": "north"}, 422, "Latitude: must be a number"),
        ({"direction": "sideways"}, 422, "direction"),
    ],
)
def test_what_cannot_be_a_check_in_is_refused_and_records_nothing(audit, change, status, says):
    web = signed_in(audit, "lead")
    web.get("/lang/en?next=/")
    fields = dict(change)  # the parameters are shared by both databases' runs
    photo = fields.pop("photo", jpeg())
    refused = _send(web, photo, **fields)
    assert refused.status_code == status, refused.text[:300]
    assert says in refused.text
    assert _checkins(audit.engine) == []


def test_a_check_in_without_the_sessions_token_is_refused(audit):
    web = signed_in(audit, "lead")
    for token in ("", _csrf(signed_in(audit, "novice").get("/workspace").text)):
        assert _send(web, jpeg(), token=token).status_code == 403
    assert _checkins(audit.engine) == []


def test_a_check_in_far_from_the_site_is_recorded_with_the_anomaly(audit):
    web = signed_in(audit, "lead")
    assert _send(web, jpeg(), lat="31.2304", lon="121.4737").status_code == 303
    [event] = _checkins(audit.engine)
    assert event["data"]["anomaly"] == "far-from-site"
    assert "data-anomaly" in web.get(PAGE).text
