"""A body's client forms in the workspace: registering an organisation (its credit code checked
by GB 32100-2015), taking over a certification from another body (IAF MD 2) and changing an
active certificate's scope; each for the role the access policy names, refused for others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from qcert.lifecycle.aggregate import add_months
from qcert.lifecycle.identifiers import uscc_check_char
from qcert.store import tables as t
from tests.e2e.web.admin_world import (  # noqa: F401
    TODAY,
    admin_ws,
    post,
    rows,
    signed_in,
)
from tests.integration.lifecycle.conftest import bus, certify, world  # noqa: F401

FORMS = "/ws/bodies/cb1/client-forms"
FIRST17 = "91310115MA1H7Y3B2"
USCC = FIRST17 + uscc_check_char(FIRST17)
WRONG = FIRST17 + ("0" if USCC[-1] != "0" else "1")
CLIENT = {
    "client_id": "c-new",
    "uscc": USCC,
    "name_zh": "新登记精密制造有限公司",
    "name_en": "Newly Registered Precision",
    "address": "上海市浦东新区示例路3号",
    "adcode": "310115",
    "personnel": "40",
    "site_id": "hq",
    "site_name": "总部",
    "lat": "31.22",
    "lon": "121.54",
}


@pytest.fixture
def certified(admin_ws):  # noqa: F811
    """cb1's active certificate ``cert1``, granted half a year ago."""
    certify(admin_ws.bus, "cert1", on=add_months(TODAY, -6) - timedelta(days=1))
    return admin_ws


def test_each_role_is_offered_its_forms(certified):
    admin = signed_in(certified, "admin1").get(FORMS).text
    assert 'data-form="register-client"' in admin and 'data-form="change-scope"' not in admin
    dec = signed_in(certified, "dec").get(FORMS).text
    assert 'data-form="change-scope"' in dec and 'data-form="accept-transfer"' in dec
    assert 'data-form="register-client"' not in dec
    lead = signed_in(certified, "lead").get(FORMS)
    assert lead.status_code == 200 and "data-none" in lead.text


def test_the_admin_registers_a_client(certified):
    done = post(signed_in(certified, "admin1"), FORMS, f"{FORMS}/register-client", **CLIENT)
    assert done.status_code == 303 and done.headers["location"].endswith("done=register-client")
    (client,) = rows(certified.engine, t.clients, id="c-new")
    assert client["uscc"] == USCC and client["name_zh"] == CLIENT["name_zh"]


def test_a_credit_code_with_a_wrong_check_character_is_refused(certified):
    web = signed_in(certified, "admin1")
    refused = post(web, FORMS, f"{FORMS}/register-client", **{**CLIENT, "uscc": WRONG})
    assert refused.status_code == 409 and 'data-rule="uscc.check"' in refused.text
    assert f'value="{WRONG}"' in refused.text  # what was typed is kept
    assert not rows(certified.engine, t.clients, id="c-new")


@pytest.mark.parametrize(
    ("fields", "named"),
    [({"personnel": "many"}, "personnel"), ({"lat": "north"}, "lat"), ({"name_zh": ""}, "name_zh")],
)
def test_a_bad_field_is_named(certified, fields, named):
    web = signed_in(certified, "admin1")
    refused = post(web, FORMS, f"{FORMS}/register-client", **{**CLIENT, **fields})
    assert refused.status_code == 422 and named in refused.text
    assert not rows(certified.engine, t.clients, id="c-new")


def test_the_decider_reduces_a_scope(certified):
    web = signed_in(certified, "dec")
    done = post(
        web,
        FORMS,
        f"{FORMS}/change-scope",
        certification_id="cert1",
        change="reduce",
        scope="精密机械零件的生产（仅总部）",
        sites="hq",
        on=TODAY.isoformat(),
    )
    assert done.status_code == 303
    (cert,) = rows(certified.engine, t.certificates, certification_id="cert1")
    assert cert["scope"] == "精密机械零件的生产（仅总部）"


def test_a_scope_change_on_another_bodys_certification_is_refused(certified):
    web = signed_in(certified, "dec2")
    fields = {"change": "reduce", "scope": "x", "sites": "hq", "on": TODAY.isoformat()}
    at = "/ws/bodies/cb2/client-forms"
    refused = post(web, at, f"{at}/change-scope", certification_id="cert1", **fields)
    assert refused.status_code == 422 and "certification_id" in refused.text


def test_another_body_takes_over_a_certification(certified):
    web = signed_in(certified, "dec2")
    at = "/ws/bodies/cb2/client-forms"
    fields = {
        "from_certification_id": "cert1",
        "certification_id": "cert1-cb2",
        "number": "CB2-0001",
        "on": TODAY.isoformat(),
    }
    # IAF MD 2: the transfer's review and decision are two people's.
    same = post(web, at, f"{at}/accept-transfer", reviewer="dec2", **fields)
    assert same.status_code == 409 and 'data-rule="decision.independence"' in same.text
    done = post(web, at, f"{at}/accept-transfer", reviewer="rev-cb2", **fields)
    assert done.status_code == 303
    (taken,) = rows(certified.engine, t.certifications, id="cert1-cb2")
    assert taken["body_id"] == "cb2"


@pytest.mark.parametrize("who", ["lead", "plan", "client", "admin2"])
def test_a_lesser_role_another_body_or_an_organisation_is_refused(certified, who):
    web = signed_in(certified, who)
    page = web.get(FORMS)
    assert page.status_code in (200, 403)
    assert 'data-form="register-client"' not in page.text
    sent = post(web, "/account", f"{FORMS}/register-client", **CLIENT)
    assert sent.status_code == 403
    scope = post(
        web,
        "/account",
        f"{FORMS}/change-scope",
        certification_id="cert1",
        change="reduce",
        scope="x",
        sites="hq",
        on=TODAY.isoformat(),
    )
    assert scope.status_code == 403
    assert not rows(certified.engine, t.clients, id="c-new")


def test_anonymous_is_sent_to_sign_in(certified):
    web = TestClient(certified.app, base_url="https://testserver")
    page = web.get(FORMS, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin")
    sent = web.post(f"{FORMS}/register-client", data=CLIENT, follow_redirects=False)
    assert sent.status_code == 303 and not rows(certified.engine, t.clients, id="c-new")


def test_an_unknown_form_is_not_found(certified):
    web = signed_in(certified, "admin1")
    assert post(web, FORMS, f"{FORMS}/merge-clients", **CLIENT).status_code == 404
