"""Spaces in Chinese text: a space sets off digits, ids and Latin words, never one Chinese word
from the next, whether the words are the catalog's own or filled into its placeholders."""

from __future__ import annotations

import re

import pytest

from qcert.locale import catalog, domains, fill_zh

HAN = "[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
SPACED = re.compile(f"{HAN} +{HAN}")


def test_a_chinese_word_filled_in_takes_no_space_from_its_chinese_neighbours():
    assert fill_zh("仅 {body} 的人员可查看", {"body": "华信认证"}) == "仅华信认证的人员可查看"
    assert fill_zh("{a} {b}", {"a": "审核", "b": "人员"}) == "审核人员"
    assert fill_zh("第 {i} 项", {"i": "三"}) == "第三项"


def test_an_id_a_number_or_a_latin_word_keeps_its_spaces():
    assert fill_zh("仅 {body} 的人员可查看", {"body": "b1"}) == "仅 b1 的人员可查看"
    assert fill_zh("共 {n} 项", {"n": 3}) == "共 3 项"
    assert fill_zh("{kind} {days} 人日", {"kind": "初次", "days": 2}) == "初次 2 人日"
    assert fill_zh("{p:.0%}，{x!r} 不是", {"p": 0.5, "x": "a"}) == "50%，'a' 不是"


def test_a_missing_field_is_an_error_as_in_format():
    with pytest.raises(KeyError):
        fill_zh("{body} 的", {})


@pytest.mark.parametrize("domain", domains())
def test_no_catalog_sets_a_space_between_two_chinese_words(domain):
    for message in catalog(domain, "zh-CN"):
        if message.id and isinstance(message.string, str):
            bare = re.sub(r"\{\w*\}", "x", message.string)
            assert not SPACED.search(bare), (message.id, message.string)


def test_the_spacing_check_finds_a_spaced_chinese_word():
    assert SPACED.search("仅辖区包含 该机构 的监管人员")
    assert not SPACED.search("仅辖区包含 330100 的监管人员")


def test_refusals_join_a_chinese_word_to_its_neighbours():
    from qcert.access.refusals import refusal

    _, zh = refusal("route.clients", param="body_id", roles="cb-admin", roles_zh="机构管理员")
    assert zh == "body_id：仅该机构的机构管理员可查看其客户的记录"
    assert refusal("command.enrolment.no-region")[1] == "仅辖区包含该机构的监管人员可为其办理接入"
    assert refusal("command.enrolment", region="330100")[1].startswith("仅辖区包含 330100 的")


def test_rule_messages_join_a_chinese_word_to_its_neighbours():
    from qcert.lifecycle.rules import refuse

    said = refuse(
        "audit.on-site",
        field="planned_days",
        stage="stage2",
        stage_zh="第二阶段",
        share="80%",
        days="4",
        on_site="1",
    )
    assert "：第二阶段为现场阶段，其 4 人日" in said.zh


def test_pages_join_a_chinese_name_to_its_neighbours():
    from qcert.web.body_text import MESSAGES
    from qcert.web.i18n import translator

    t = translator("zh-CN", MESSAGES)
    assert t("body.list.title", body="华信认证") == "华信认证的认证项目"
    assert t("body.list.title", body="ACME Cert") == "ACME Cert 的认证项目"
    assert translator("en", MESSAGES)("body.list.title", body="ACME") == "Certifications of ACME"
