"""The words a rule's refusal fills in (what kind of stage, which team member, what a decision
rule found missing) and the Chinese of request-schema errors come from the catalogs by key:
no Chinese is left in the code that refuses, the keys it looks up are in both catalogs, and the
refusals read as they did."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from qcert import locale
from qcert.access.refusals import MESSAGES as REFUSALS
from qcert.access.refusals import either
from qcert.lifecycle import inputs
from qcert.lifecycle.audits import _WHAT
from qcert.lifecycle.inputs import Day, Id, Instant, Name, refusal_of, validate
from qcert.locale import LOCALES, catalog
from qcert.locale.problems import MESSAGES, problem
from qcert.schemes import RuleViolation

SRC = Path(locale.__file__).parents[1]
# A Chinese word (a list joined by "、" is typography, as in locale.problems, not words).
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
PLACE = re.compile(r"\{(\w+)")
# The code whose words moved to the catalogs: what it says, it looks up.
MOVED = [
    *(
        SRC / "lifecycle" / f"{name}.py"
        for name in (
            "audits",
            "audit_time",
            "booking",
            "cases",
            "certification",
            "checkins",
            "decision",
            "decision_rules",
            "inputs",
            "sampling",
        )
    ),
    *sorted((SRC / "access").glob("*.py")),
]


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of ``path`` other than docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


@pytest.mark.parametrize("path", MOVED, ids=lambda p: p.name)
def test_no_chinese_is_left_in_the_code_that_refuses(path):
    inline = [(line, text) for line, text in _strings(path) if CJK.search(text)]
    assert inline == []


def test_the_check_finds_chinese_left_inline(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text('"""文档。"""\nWORD = ("stage", "阶段")\n', encoding="utf-8")
    assert [t for _, t in _strings(sample) if CJK.search(t)] == ["阶段"]


def _keys() -> set[str]:
    return {*_WHAT.values(), *inputs._PROBLEMS.values(), *inputs._PATTERNS.values()}


@pytest.mark.parametrize("key", sorted(_keys()))
def test_every_key_looked_up_by_a_table_is_in_both_catalogs(key):
    for lang in LOCALES:
        message = catalog("locale.problems", lang).get(key)
        assert message is not None and message.string, (lang, key)
    zh, en = MESSAGES[key]
    assert set(PLACE.findall(zh)) == set(PLACE.findall(en)), key


def test_the_or_of_roles_is_in_both_catalogs():
    for lang in LOCALES:
        assert catalog("access.refusals", lang).get("join.or") is not None, lang
    assert REFUSALS["join.or"] == ("或", " or ")
    assert either(["cb-admin", "planner"], ["甲", "乙"]) == ("cb-admin or planner", "甲或乙")


def test_rule_details_read_as_they_did():
    assert problem("stage.of_audit") == ("an audit stage", "审核阶段")
    assert problem("time.initial_total", names="stage1 + stage2") == (
        " for the initial audit (stage1 + stage2)",
        "（初次审核 stage1 + stage2 合计）",
    )
    assert problem("team.member", number=2)[1] == "审核组第 2 名成员"
    assert problem("checkin.out") == ("out", "退")
    # A list of findings is joined in each language's way.
    assert problem("unmet.no_corrective_plan", findings=["f1", "f2"]) == (
        "no correction and corrective action plan for f1, f2",
        "f1、f2 尚无纠正和纠正措施计划",
    )


def _error(kind: str, msg: str = "pydantic says", **ctx: object) -> dict:
    return {"type": kind, "loc": ("body", "name"), "msg": msg, "ctx": ctx}


def test_a_schema_error_says_its_chinese_from_the_catalogs():
    found = refusal_of([_error("string_too_long", max_length=5)])
    assert found.rule == "input.invalid"
    assert found.en.endswith("pydantic says")  # pydantic's own English, as before
    assert found.zh.endswith("最多 5 个字符")
    assert refusal_of([_error("missing")]).zh.endswith("缺少此字段")
    assert refusal_of([_error("literal_error", expected="'a' or 'b'")]).zh.endswith(
        "须为 'a' or 'b' 之一"
    )


def test_a_schema_error_of_an_unknown_kind_or_lacking_its_context_still_reads():
    assert refusal_of([_error("some_new_kind", msg="odd")]).zh.endswith("取值无效：odd")
    assert refusal_of([_error("string_too_long")]).zh.endswith("取值无效")
    # A context naming "key" is a field like any other, not the problem's key.
    assert refusal_of([_error("greater_than", gt=0, key="x")]).zh.endswith("须大于 0")


def test_a_pattern_is_said_in_words_in_both_languages():
    pattern = Id.__metadata__[0].pattern
    found = refusal_of([_error("string_pattern_mismatch", pattern=pattern)])
    assert found.en.endswith("starting with a letter or digit")
    assert found.zh.endswith("并以字母或数字开头")


@dataclass
class _Command:
    note: Name = "ok"
    on: Day = date(2026, 1, 1)
    at: Instant | None = None


def _refused(**fields: object) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        validate(_Command(**fields))  # type: ignore[arg-type]
    return caught.value


def test_qcert_checks_say_their_problem_in_both_languages():
    found = _refused(note="a\x00b")
    assert found.zh.endswith("不能包含控制字符或不成对的代理字符")
    assert found.en.endswith("must not contain control characters or unpaired surrogates")
    found = _refused(on=date(1900, 1, 1))
    assert found.zh.endswith("须在 1950-01-01 与 2199-12-31 之间")
    assert found.en.endswith("must lie between 1950-01-01 and 2199-12-31")
    found = _refused(at=datetime(2026, 1, 1))
    assert found.zh.endswith("须带时区（Z 或 +08:00）")
    assert found.en.endswith("must carry a time zone (Z or +08:00)")


def test_every_indicator_is_named_in_both_catalogs_and_every_name_is_an_indicator():
    from qcert.supervision.analytics import INDICATORS
    from qcert.supervision.analytics.registry import MESSAGES as NAMES

    keys = {f"{kind}.{name}" for name in INDICATORS for kind in ("name", "rule")}
    assert len(INDICATORS) >= 20
    assert set(NAMES) == keys
    for key in keys:
        for lang in LOCALES:
            message = catalog("supervision.analytics.registry", lang).get(key)
            assert message is not None and message.string, (lang, key)
    item = INDICATORS["checkin-missing"]
    assert (item.zh, item.en) == ("审核缺少签到或签退", "Audit without check-in or check-out")
    assert item.rule_zh.startswith("已结束的现场或结合审核") and item.rule.startswith("An on-site")
