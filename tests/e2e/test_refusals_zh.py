"""Every refusal says itself in Chinese: no English in the Chinese slot, no field ids, code
values or rule ids in the Chinese sentence (they keep their own JSON keys), through the API
and the command line."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from qcert.lifecycle.rules import RULES
from qcert.locale.names import MESSAGES as NAMES
from qcert.supervision.warnings import Warning
from tests.e2e.conftest import cli_at
from tests.e2e.test_lifecycle_api import _certify

CJK = re.compile(r"[\u3400-\u9fff]")
# What a user typed, quoted, may be anything.
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’|「[^」]*」|`[^`]*`")
# snake_case and kebab-case identifiers, and any lower-case id the platform names in words.
IDENT = re.compile(r"(?<![\w.:/+-])[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+(?![\w-])")
TOKEN = re.compile(r"(?<![\w.:/+-])[a-z][a-z0-9_-]*(?![\w-])")
KNOWN = {key.split(".", 1)[1] for key in NAMES}


def leaks(zh: str) -> list[str]:
    """The ids a Chinese message shows outside quoted values."""
    bare = QUOTED.sub("", zh)
    found = IDENT.findall(bare) + [rule for rule in RULES if rule in bare]
    return found + [t for t in TOKEN.findall(bare) if t in KNOWN and t not in found]


def fault(zh: str | None, en: str) -> str | None:
    """What is wrong with ``zh`` as the Chinese of ``en``, or None."""
    if not zh or not CJK.search(zh):
        return "no Chinese"
    if zh == en:
        return "the English"
    return f"ids {leaks(zh)}" if leaks(zh) else None


def check(zh: str | None, en: str) -> None:
    assert fault(zh, en) is None, (fault(zh, en), zh)


def test_the_check_finds_ids_and_english():
    assert leaks("certification_id：须为字符串") == ["certification_id"]
    assert leaks("当前不能置为 acknowledged：该预警当前为 open") == ["acknowledged", "open"]
    assert leaks("证书 N-1：不能对状态为 suspended 的证书执行暂停") == ["suspended"]
    assert leaks("文件名 'my_file.pdf' 不可用") == []
    assert "date.late" in leaks("须经批准（date.late）")
    with pytest.raises(AssertionError):
        check("no certification 'x'", "no certification 'x'")


def _refusals(client, as_):
    """(what, response) for a broad set of refusals, each a 4xx."""
    today = date.today()
    post = client.post
    dec = as_("dec")
    yield (
        "bad date",
        post(
            "/api/v1/commands/suspend-certificate",
            headers=dec,
            json={"certification_id": "x", "reason": "r", "on": "tomorrow"},
        ),
    )
    yield (
        "missing field",
        post(
            "/api/v1/commands/plan-audit",
            headers=as_("plan"),
            json={"certification_id": "x", "audit_id": "s9", "kind": "surveillance"},
        ),
    )
    yield (
        "item of a list",
        post(
            "/api/v1/commands/apply-for-certification",
            headers=as_("client"),
            json={
                "certification_id": "y",
                "body_id": "cb1",
                "client_id": "c1",
                "scheme_id": "iso9001",
                "sectors": [17],
                "sites": [1],
            },
        ),
    )
    yield (
        "unknown field",
        post(
            "/api/v1/commands/suspend-certificate",
            headers=dec,
            json={"certification_id": "x", "reason": "r", "on": str(today), "status_entry": 1},
        ),
    )
    yield (
        "future date",
        post(
            "/api/v1/commands/suspend-certificate",
            headers=dec,
            json={"certification_id": "x", "reason": "r", "on": str(today + timedelta(days=3))},
        ),
    )
    suspended = post(
        "/api/v1/commands/suspend-certificate",
        headers=dec,
        json={"certification_id": "x", "reason": "r", "on": str(today)},
    )
    assert suspended.status_code == 200, suspended.text
    yield (
        "status transition",
        post(
            "/api/v1/commands/suspend-certificate",
            headers=dec,
            json={"certification_id": "x", "reason": "r", "on": str(today)},
        ),
    )
    yield (
        "no such body",
        post(
            "/api/v1/commands/give-consent",
            headers=as_("cadmin"),
            json={"client_id": "c1", "body_id": "nope"},
        ),
    )
    yield (
        "wrong password",
        post(
            "/api/v1/commands/change-password",
            headers=dec,
            json={"account_id": "dec", "current_password": "not it at all", "password": "x" * 16},
        ),
    )
    yield (
        "bad invitation",
        post(
            "/api/v1/commands/join-with-invitation",
            json={
                "code": "nope",
                "account_id": "newcomer",
                "display_name": "N",
                "password": "x" * 16,
            },
        ),
    )
    yield (
        "review after the decision",
        post(
            "/api/v1/commands/technical-review",
            headers=as_("rev"),
            json={"certification_id": "x", "reviewer": "rev", "recommendation": "maybe"},
        ),
    )
    yield (
        "bad grade",
        post(
            "/api/v1/commands/raise-finding",
            headers=as_("lead"),
            json={
                "certification_id": "x",
                "audit_id": "s2",
                "finding_id": "f1",
                "grade": "huge",
                "clause": "8.5",
                "evidence": "seen",
                "auditor": "lead",
            },
        ),
    )
    yield "not a hub", client.get("/hub/v1/warnings", headers=dec)
    yield (
        "own roles",
        post(
            "/api/v1/commands/set-roles",
            headers=as_("admin1"),
            json={"account_id": "admin1", "roles": ["planner@body:cb1"]},
        ),
    )
    yield (
        "document type",
        post(
            "/api/v1/documents",
            headers=as_("client"),
            data={"client_id": "c1"},
            files={"file": ("a.bin", b"\x00\x01binary", "application/octet-stream")},
        ),
    )
    yield (
        "forbidden",
        post(
            "/api/v1/commands/suspend-certificate",
            headers=as_("client"),
            json={"certification_id": "x", "reason": "r", "on": str(today)},
        ),
    )
    yield "not signed in", client.get("/api/v1/certifications", headers={"Authorization": "x"})
    yield "no record", client.get("/api/v1/certifications/nope", headers=dec)
    yield "no route", client.get("/api/v1/nowhere")
    yield "no method", client.delete("/api/v1/certifications")
    yield (
        "too large",
        post(
            "/api/v1/commands/apply-for-certification",
            headers={**dec, "content-length": str(1 << 30)},
            content=b"{}",
        ),
    )
    yield "beyond the ledger", client.get("/ledger/proof/999999")
    yield "bad sizes", client.get("/ledger/consistency", params={"old": 9, "new": 2})
    yield "bad instant", client.get("/public/certificates/N-1/status", params={"at": "soon"})
    yield (
        "no scheme",
        post(
            "/api/v1/commands/apply-for-certification",
            headers=as_("client"),
            json={
                "certification_id": "z",
                "body_id": "cb1",
                "client_id": "c1",
                "scheme_id": "nope",
                "sectors": [17],
                "sites": ["hq"],
            },
        ),
    )


def test_every_refusal_through_the_api_says_itself_in_chinese(api):
    client, as_ = api
    _certify(client, as_)
    statuses, faults = set(), []
    for what, r in _refusals(client, as_):
        assert 400 <= r.status_code < 500, (what, r.status_code, r.text)
        statuses.add(r.status_code)
        error = r.json()["error"]
        found = fault(error.get("message_zh"), error["message"])
        if found:
            faults.append((what, found, error.get("message_zh")))
    assert faults == []
    assert len(statuses) >= 7, statuses


def test_a_refused_field_is_named_by_its_chinese_label_and_its_id_kept(api):
    client, as_ = api
    r = client.post(
        "/api/v1/commands/suspend-certificate",
        headers=as_("dec"),
        json={"certification_id": "x", "reason": "r", "on": "tomorrow"},
    )
    error = r.json()["error"]
    assert error["message"].startswith("on:") and error["rule"] == "input.invalid"
    assert error["message_zh"].startswith("日期：")


def test_a_warning_refused_says_its_statuses_in_words():
    warning = Warning("w1")
    warning.status = "confirmed"
    with pytest.raises(Exception) as refused:
        warning.change("acknowledged", "seen")
    assert refused.value.rule == "state.order"
    check(refused.value.zh, refused.value.en)
    assert "已确认" in refused.value.zh


@pytest.fixture
def qcert(tmp_path, database_url, monkeypatch):
    return cli_at(tmp_path / "data", database_url, monkeypatch)


@pytest.mark.parametrize(
    ("command", "payload"),
    [
        ("suspend-certificate", {"certification_id": "nope", "reason": "r", "on": "2025-01-02"}),
        ("suspend-certificate", {"certification_id": "nope", "reason": "r", "on": "soon"}),
        ("open-account", {"account_id": "a b", "display_name": "A", "roles": []}),
    ],
)
def test_the_command_line_prints_each_refusal_in_chinese_too(qcert, command, payload):
    result = qcert("lifecycle", "do", command, json.dumps(payload), ok=False)
    assert result.exit_code == 1, result.output
    lines = [line.strip() for line in result.output.strip().splitlines()]
    en, zh = lines[0].removeprefix("error / 错误:").strip(), lines[-1]
    check(zh, en)
