"""An account's roles have one name in each language, kept in the shared names table
(``value.<role>`` in ``locale.names``): the administration pages and the home page take it
from there, and no other catalog says a role in words of its own."""

from __future__ import annotations

import re

import pytest

from qcert.lifecycle.accounts import ROLES
from qcert.locale import LOCALES, catalog, domains
from qcert.locale.names import MESSAGES as NAMES

ROLE_KEY = re.compile(r"(?:^|\.)role\.(" + "|".join(map(re.escape, ROLES)) + r")$")


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_pages_name_a_role_as_the_names_table_does(role):
    from qcert.web.admin_common import TEXT

    assert TEXT[f"role.{role}"] == NAMES[f"value.{role}"]


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_names_a_role_as_the_names_table_does(role):
    from qcert.web.account_pages import HOME_ROLES

    zh, en = HOME_ROLES[f"home.role.{role}"]
    assert zh == NAMES[f"value.{role}"][0] and en.lower() == NAMES[f"value.{role}"][1].lower()


def test_no_other_catalog_gives_a_role_another_word():
    seen = 0
    for domain in domains():
        if domain == "locale.names":
            continue
        for position, lang in enumerate(LOCALES):
            for message in catalog(domain, lang):
                found = ROLE_KEY.search(message.id or "")
                if found is None:
                    continue
                seen += 1
                word = NAMES[f"value.{found[1]}"][position]
                assert message.string.lower() == word.lower(), (domain, message.id)
    # The organisation portal's invitation form names the two organisation roles.
    assert seen >= 4


def test_the_role_key_pattern_finds_role_keys_only():
    assert ROLE_KEY.search("role.cb-admin") and ROLE_KEY.search("home.role.reporter")
    assert not ROLE_KEY.search("role.lead") and not ROLE_KEY.search("people.col.roles")
