"""A refused input reads wholly in the user's language: the zh-CN message of ``input.invalid``
carries a Chinese problem, never the English one."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from qcert.lifecycle.accounts import Account, parse_role
from qcert.lifecycle.certification import Certification
from qcert.lifecycle.documents import check_document
from qcert.lifecycle.inputs import refusal_of
from qcert.lifecycle.parties import Auditor, Body, Client
from qcert.lifecycle.rules import refuse
from qcert.locale.names import field_label
from qcert.locale.problems import MESSAGES as PROBLEMS
from qcert.schemes import RuleViolation
from qcert.web.portal_pages import _application

LIFECYCLE = Path(__file__).parents[3] / "src" / "qcert" / "lifecycle"
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
SITE = {"id": "hq", "name": "HQ", "address": "北京", "adcode": "110108", "lat": 39.9, "lon": 116.3}
TEAM = [{"auditor": "lead", "role": "lead"}]
ON = date(2023, 3, 1)


def _body() -> Body:
    body = Body.register("cb", "A1", "机构", "Body", "CNAS")
    body.grant_scope("iso9001", [17], date(2000, 1, 1))
    return body


def _client(sites: list[dict] | None = None, personnel: int = 20) -> Client:
    return Client.register(
        "c", "91110108551385082Q", "公司", "Co", "北京", "110108", personnel, sites or [SITE]
    )


def _applied() -> tuple[Certification, Body, Auditor]:
    body = _body()
    lead = Auditor.register("lead", "R1", "组长", "cb")
    lead.qualify("iso9001", [17])
    cert = Certification.apply_for("x", body, _client(), "iso9001", [17], ["hq"], on=ON)
    cert.review_contract("rev", body, ON)
    return cert, body, lead


def _granted() -> Certification:
    cert, body, lead = _applied()
    cert.plan_audit("s1", "stage1", TEAM, "FS01", ON, ON, 1, ["hq"], {"lead": lead}, body)
    cert.complete_audit("s1", 1, ON)
    cert.plan_audit("s2", "stage2", TEAM, "FS01", ON, ON, 3, ["hq"], {"lead": lead}, body)
    cert.complete_audit("s2", 3, ON)
    cert.technical_review("rev", "grant")
    cert.decide("dec", "grant", ON, body, "N1", "scope")
    return cert


def _plan_backwards() -> None:
    cert, body, lead = _applied()
    end = date(2023, 2, 28)
    cert.plan_audit("s2", "stage2", TEAM, "FS01", ON, end, 4, ["hq"], {"lead": lead}, body)


def _with_site(**changes: object) -> Callable[[], object]:
    return lambda: _client([{**SITE, **changes}])


# (what is refused, the field, the Chinese problem expected, words allowed besides the field)
CASES: list[tuple[Callable[[], object], str, str, set[str]]] = [
    (lambda: Body.register("cb", "A1", "  ", "Body", "CNAS"), "name_zh", "不能为空", set()),
    (
        lambda: Body.register("b" * 65, "A1", "机构", "Body", "CNAS"),
        "body_id",
        "最多 64 个字符",
        set(),
    ),
    (lambda: _client(personnel=0), "personnel", "须为不小于 1 的整数", set()),
    (_with_site(lat=91), "sites.0.lat", "须为 -90 至 90 之间的纬度", set()),
    (_with_site(name=""), "sites.0.name", "为必填项", set()),
    (
        lambda: Certification.apply_for("x", _body(), _client(), "iso9001", [], ["hq"], on=ON),
        "sectors",
        "须至少有一个 IAF 行业代码",
        {"IAF"},
    ),
    (
        lambda: Certification.apply_for("x", _body(), _client(), "iso9001", [17], ["plant"], on=ON),
        "sites",
        "未知的场所 ['plant']",
        {"plant"},
    ),
    (_plan_backwards, "end", "不能早于开始日期", set()),
    (lambda: _granted().suspend("overdue", ON, 7), "months", "暂停期限为 1 至 6 个月", set()),
    (lambda: _granted().transfer("cb", ON), "to_body", "须为另一认证机构", set()),
    (
        lambda: check_document("A" * 64, "a.pdf", "application/pdf", 1, "p"),
        "sha256",
        "须为 64 位小写十六进制数字",
        set(),
    ),
    (lambda: Account.open("X", "名字", [], "c"), "account_id", "并以字母或数字开头", set()),
    (
        lambda: parse_role("client-user@body:cb"),
        "roles",
        "组织用户角色须用于客户组织（'client:…'）范围",
        {"client", "user", "body"},
    ),
    (
        lambda: _application("c1", {"sectors": ["x"], "complexity": ""}),
        "sectors",
        "须为 IAF 行业代码（1-39）",
        {"IAF"},
    ),
    (
        lambda: _application("c1", {"sectors": ["17"], "complexity": "huge"}),
        "complexity",
        "须为高、中、低或有限",
        set(),
    ),
]


@pytest.mark.parametrize(("act", "field", "problem_zh", "allowed"), CASES)
def test_an_invalid_input_is_refused_wholly_in_chinese(
    act: Callable[[], object], field: str, problem_zh: str, allowed: set[str]
) -> None:
    with pytest.raises(RuleViolation) as refused:
        act()
    err = refused.value
    assert err.rule == "input.invalid" and err.en.startswith(f"{field}: "), err.en
    # The Chinese names the field by its label, the English by its id.
    assert err.zh.startswith(f"{field_label(field)}："), err.zh
    problem = err.zh.removeprefix(f"{field_label(field)}：")
    assert problem_zh in problem, err.zh
    assert set(ENGLISH_WORD.findall(problem)) <= allowed, err.zh


def test_without_a_chinese_problem_the_english_one_stands_in() -> None:
    err = refuse("input.invalid", field="f", problem="odd")
    assert (err.en, err.zh) == ("f: odd", "f：odd")


def _invalid_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(LIFECYCLE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "invalid"
            ):
                calls.append((f"{path.name}:{node.lineno}", node))
    return calls


def test_every_invalid_input_in_the_lifecycle_says_its_problem_in_chinese() -> None:
    calls = _invalid_calls()
    assert len(calls) > 50  # the walk found the calls, not an empty folder
    for where, call in calls:
        # The problem is a key of the catalogs, whose Chinese sentence is Chinese.
        assert len(call.args) == 2, where
        key = call.args[1]
        assert isinstance(key, ast.Constant) and key.value in PROBLEMS, where
        zh, en = PROBLEMS[key.value]
        assert CJK.search(zh) and not CJK.search(en), where


@pytest.mark.parametrize(
    ("uscc", "adcode", "rule", "zh"),
    [
        ("91110108551385082", "110108", "uscc.check", "须为 18 位，实为 17 位"),
        ("91110108551385083Q", "110108", "uscc.check", "按 GB 32100 应为"),
        ("91110108551385082Q", "190000", "adcode.format", "省级代码 19 不是 GB/T 2260"),
    ],
)
def test_code_refusals_read_in_chinese_too(uscc, adcode, rule, zh):
    with pytest.raises(RuleViolation) as refused:
        Client.register("c", uscc, "公司", "Co", "北京", adcode, 20, [SITE])
    assert refused.value.rule == rule and zh in refused.value.zh
    problem = refused.value.zh.split("：", 1)[1]  # after the field's name
    assert not ENGLISH_WORD.search(problem)
    assert refused.value.en.split(": ", 1)[1] not in refused.value.zh


def test_a_path_through_a_key_of_digits_that_are_not_decimal_is_named_not_counted():
    # "²" is a digit to str.isdigit and no number to int(): a refusal naming a value under
    # such a name says the name, and the item counted from one where it is a list's
    assert field_label("readings.0.values.².[key]") == "读数第 1 项的读数值的²的[key]"
    assert field_label("readings.0.values.²", "en") == "Readings[1].Values.²"
    assert "values.²" in refusal_of([{"loc": ("values", "²"), "msg": "bad", "type": "x"}]).en
