"""Words people read instead of code: times in the viewer's zone, schemes by their standards,
field ids and values by their names, rules' sources by their documents."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import jinja2
import pytest

from qcert import schemes
from qcert.config import SettingInvalid, Settings
from qcert.web import words
from qcert.web.words import local_time, plain, scheme_label, source_label, zone_named


def test_a_stored_utc_time_is_shown_in_shanghai_by_default_to_the_second():
    assert local_time("2026-03-01T08:00:05.123456+00:00") == "2026-03-01 16:00:05 UTC+8"
    assert local_time("2026-03-01T08:00:05Z") == "2026-03-01 16:00:05 UTC+8"


def test_a_time_is_shown_in_the_zone_asked_for():
    at = datetime(2026, 3, 1, 8, 0, 5, 999, tzinfo=UTC)
    assert local_time(at, "Asia/Kolkata") == "2026-03-01 13:30:05 UTC+5:30"
    assert local_time(at, "America/New_York") == "2026-03-01 03:00:05 UTC-5"


def test_a_naive_time_is_read_as_utc_and_a_date_is_left_a_date():
    assert local_time("2026-03-01T23:30:00") == "2026-03-02 07:30:00 UTC+8"
    assert local_time(date(2026, 3, 1)) == "2026-03-01"
    assert local_time("2026-03-01") == "2026-03-01"
    assert local_time(None) == "" and local_time("not a time") == "not a time"


@pytest.mark.parametrize(
    "name", ["", "Mars/Olympus", "../../etc/passwd", "A" * 65, "Asia/ Shanghai"]
)
def test_a_zone_that_is_not_an_iana_zone_is_refused(name):
    assert zone_named(name) is None


def test_the_default_zone_is_a_setting_that_must_name_a_zone(monkeypatch, tmp_path):
    monkeypatch.delenv("QCERT_TIMEZONE", raising=False)
    assert Settings.from_env(tmp_path).timezone == "Asia/Shanghai"
    monkeypatch.setenv("QCERT_TIMEZONE", "Europe/Berlin")
    assert Settings.from_env(tmp_path).timezone == "Europe/Berlin"
    monkeypatch.setenv("QCERT_TIMEZONE", "Beijing")
    with pytest.raises(SettingInvalid) as refused:
        Settings.from_env(tmp_path)
    assert "QCERT_TIMEZONE" in str(refused.value) and "时区" in refused.value.zh


def test_schemes_are_named_by_their_standards_and_national_adoptions():
    assert scheme_label("urn:qcert:scheme:iso9001:2015") == "ISO 9001:2015 / GB/T 19001-2016"
    assert scheme_label("urn:qcert:scheme:smart-manufacturing:gbt39116") == "GB/T 39116-2020"


def test_no_bundled_scheme_is_named_by_its_urn():
    for scheme_id in schemes.bundled():
        assert "urn:" not in scheme_label(scheme_id) and scheme_label(scheme_id)


def test_chinese_refusals_name_fields_and_values_in_chinese():
    said = plain("planned_days：须为数字；stage1 不是 urn:qcert:scheme:iso9001:2015 的", "zh-CN")
    assert said == "计划审核人日：须为数字；第一阶段审核不是 ISO 9001:2015 / GB/T 19001-2016 的"


def test_ids_inside_other_ids_are_left_alone():
    said = plain("org-0161-iso45001 的 on_site_days", "zh-CN")
    assert said == "org-0161-iso45001 的现场审核人日"
    assert plain("finding f-start.1", "zh-CN") == "finding f-start.1"


def test_english_refusals_keep_field_ids_but_never_urns():
    said = plain("planned_days: not a stage of urn:qcert:scheme:iso9001:2015", "en")
    assert said == "planned_days: not a stage of ISO 9001:2015 / GB/T 19001-2016"


def test_a_rules_source_is_the_document_people_know():
    assert source_label("ISO/IEC 17021-1:2015 9.6.2.2", "zh-CN") == "ISO/IEC 17021-1:2015 9.6.2.2"
    assert source_label("qcert", "zh-CN") == "本平台的填写要求"
    assert source_label("qcert", "en") == "this platform's input rules"
    assert source_label("scheme rule", "zh-CN") == "认证实施规则"
    assert source_label("scheme rule: within 6 months", "en").endswith(": within 6 months")


def test_the_filters_read_the_pages_language_and_zone():
    env = jinja2.Environment(autoescape=True)
    words.install(env)
    page = env.from_string("{{ at|when }}|{{ s|scheme }}|{{ src|source }}|{{ m|plain }}")
    said = page.render(
        at="2026-03-01T00:00:00+00:00",
        s="urn:qcert:scheme:iso45001:2018",
        src="qcert",
        m="kind：stage2",
        lang="zh-CN",
        tz="UTC",
    )
    assert said.split("|") == [
        "2026-03-01 00:00:00 UTC+0",
        "ISO 45001:2018 / GB/T 45001-2020",
        "本平台的填写要求",
        "审核类型：第二阶段审核",
    ]


TEMPLATES = sorted((Path(words.__file__).parent / "templates").rglob("*.html"))
# A time or a scheme id printed as stored (``{{ e.at }}``, ``{{ r.scheme_id }}``), outside an
# attribute: every one goes through its filter (``|when``, ``|scheme``).
RAW_TIME = re.compile(r">[^<>]*\{\{\s*[\w.]*(?:_at|\.at|\.time)\s*\}\}")
RAW_SCHEME = re.compile(r">[^<>]*\{\{\s*[\w.]*scheme(?:_id|\.id)?\s*\}\}")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_print_times_and_schemes_through_their_filters(path):
    text = path.read_text(encoding="utf-8")
    assert not RAW_TIME.findall(text)
    assert not RAW_SCHEME.findall(text)


def test_the_template_check_sees_a_raw_time_and_a_raw_scheme():
    assert RAW_TIME.search("<td>{{ d.at }}</td>") and not RAW_TIME.search(
        "<td>{{ d.at|when }}</td>"
    )
    assert RAW_SCHEME.search("<td><code>{{ r.scheme_id }}</code></td>")
    assert RAW_SCHEME.search("<dd>{{ answer.scheme }}</dd>")
    assert not RAW_SCHEME.search('<option value="{{ r.scheme_id }}">')
