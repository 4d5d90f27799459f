"""`qcert notices ...` end to end: the operator sends what is due, each account lists its own."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from tests.e2e.conftest import cli_at
from tests.e2e.web.noticed_world import TODAY, noticed
from tests.e2e.web.staffed_world import PASSWORD


@pytest.fixture
def qcert(tmp_path, database_url, engine, monkeypatch):
    run = cli_at(tmp_path / "data", database_url, monkeypatch)
    world = noticed(engine, tmp_path)  # on the same store, with the same keys
    world.services.close()
    return run


def _login(qcert, account: str) -> None:
    with mock.patch("getpass.getpass", return_value=PASSWORD):
        qcert("login", account)


def test_the_operator_sends_what_is_due_and_each_account_lists_its_own(qcert):
    sent = json.loads(qcert("notices", "run", "--on", TODAY.isoformat(), "--json").stdout)
    assert sent == {"on": TODAY.isoformat(), "sent": 11, "mailed": 0, "failed": []}
    again = json.loads(qcert("notices", "run", "--on", TODAY.isoformat(), "--json").stdout)
    assert again["sent"] == 0
    _login(qcert, "cadmin")
    listed = json.loads(qcert("notices", "list", "--json").stdout)
    assert listed["account"] == "cadmin" and listed["total"] == 1
    (notice,) = listed["notices"]
    assert notice["kind"] == "finding-overdue" and notice["item"] == "f1"
    assert notice["link"] == "/portal/c1/findings#finding-c1-b-f1"
    assert (
        "逾期" in notice["title"]["zh-CN"] and "past its answer deadline" in notice["title"]["en"]
    )
    text = qcert("notices", "list").stdout
    assert "UNREAD" in text and "/portal/c1/findings#finding-c1-b-f1" in text
    refused = qcert("notices", "run", "--json", ok=False)
    assert refused.exit_code == 1 and "platform administrator" in refused.output
    _login(qcert, "dec2")
    assert json.loads(qcert("notices", "list", "--json").stdout)["notices"] == []


def test_a_bad_day_is_refused_naming_the_option(qcert):
    bad = qcert("notices", "run", "--on", "2024-13-01", ok=False)
    assert bad.exit_code == 1 and "--on" in bad.output
