"""The gettext catalogs: every word in both languages, every key a page uses present, no
doubled words in the Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qcert import locale, schemes
from qcert.locale import LOCALES, catalog, domains

SRC = Path(locale.__file__).parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
# A repeated word of two or more characters ("证书证书"), or a particle that is never doubled.
DOUBLED = re.compile(r"([\u4e00-\u9fff]{2,})\1|([的了是在和与或及已须])\2")
PLACEHOLDER = re.compile(r"\{(\w*)")
# t("key") and t('key', ...) in templates and page code, both("key", ...) in the public pages;
# keys built at run time are not seen.
USED = re.compile(r"""\b(?:t|both)\(\s*["']([a-z][\w.-]*)["']\s*[,)]""")


def _entries(domain: str, lang: str) -> dict[tuple[str, str | None], str]:
    return {(m.id, m.context): m for m in catalog(domain, lang) if m.id}


DOMAINS = domains()


def test_the_catalogs_hold_the_moved_tables():
    assert {"web.i18n", "web.body_text", "web.portal_text", "web.hub_text"} <= set(DOMAINS)
    # The public pages, and the words the parts keep for them and for reports and notices.
    assert {
        "web.public_text",
        "credentials.lookup",
        "schemes.model",
        "notices.text",
        "cli",
        "lifecycle.rules",
        "access.refusals",
    } <= set(DOMAINS)


@pytest.mark.parametrize("domain", DOMAINS)
def test_both_catalogs_of_a_domain_have_the_same_keys(domain):
    zh, en = (set(_entries(domain, lang)) for lang in LOCALES)
    assert zh - en == set(), "missing in en"
    assert en - zh == set(), "missing in zh_CN"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_translated_and_not_fuzzy(domain):
    for lang in LOCALES:
        for key, message in _entries(domain, lang).items():
            assert isinstance(message.string, str) and message.string.strip(), (lang, key)
            assert not message.fuzzy, (lang, key)


def _places(text: str, lang: str) -> list[str]:
    # The Chinese may fill a place with the Chinese of a value: {status_zh} for {status}.
    found = PLACEHOLDER.findall(text)
    return sorted(p.removesuffix("_zh") if lang == "zh-CN" else p for p in found)


@pytest.mark.parametrize("domain", DOMAINS)
def test_both_languages_fill_the_same_placeholders(domain):
    zh, en = (_entries(domain, lang) for lang in LOCALES)
    for key, message in zh.items():
        assert _places(message.string, "zh-CN") == _places(en[key].string, "en"), key


def test_the_placeholder_check_sees_a_place_missing_from_one_language():
    assert _places("{field}：{problem_zh}", "zh-CN") == _places("{field}: {problem}", "en")
    assert _places("{field}：须填写", "zh-CN") != _places("{field}: {problem}", "en")
    assert _places("{a_zh}", "en") != _places("{a}", "en")


@pytest.mark.parametrize("domain", DOMAINS)
def test_chinese_words_are_chinese_and_never_doubled(domain):
    for key, message in _entries(domain, "zh-CN").items():
        # Words in Latin letters and none in Chinese is an untranslated entry (placeholders,
        # codes such as "Cpk" beside Chinese, and pure punctuation are fine).
        bare = re.sub(r"\{\w*\}", "", message.string)
        latin_only = re.search(r"[A-Za-z]{2,}", bare) and not CJK.search(bare)
        assert not latin_only or key == ("nav.language", None), key
        assert not DOUBLED.search(message.string), (key, message.string)


def test_the_doubled_word_check_finds_doubled_words():
    assert DOUBLED.search("请上传证书证书")
    assert DOUBLED.search("审核的的结论")
    assert not DOUBLED.search("管理体系认证证书")  # 认证 + 证书 is not a doubled word


def _used_keys() -> dict[str, str]:
    files = [*(SRC / "web" / "templates").rglob("*.html"), *(SRC / "web").glob("*.py")]
    return {key: str(f) for f in files for key in USED.findall(f.read_text(encoding="utf-8"))}


def test_every_key_a_page_uses_is_in_both_catalogs():
    known: set[str] = set()
    for domain in DOMAINS:
        zh, en = (_entries(domain, lang) for lang in LOCALES)
        # a table kept under a context (a module's NAV, PUBLIC) is merged into pages too
        known |= {key for key, context in zh if (key, context) in en}
    # The names of audits and tests come from the scheme files (kind.<stage>), not the catalogs.
    stages = {f"kind.{s.id}" for scheme in schemes.bundled().values() for s in scheme.stages}
    used = _used_keys()
    assert len(used) > 300
    missing = {key: where for key, where in used.items() if key not in known | stages}
    assert missing == {}


PUBLIC_PAGES = ("base.html", "verify.html", "certificate.html")


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_the_public_pages_print_words_from_the_catalogs_only(name):
    # Both languages side by side, by key: a pair written into the template is a word a
    # translator editing the catalogs would never see.
    text = (SRC / "web" / "templates" / name).read_text(encoding="utf-8")
    assert not CJK.search(text)
    assert not re.search(r"""\bbi\(\s*["']""", text)


def test_the_public_pages_use_the_public_words():
    from qcert.web.public_text import MESSAGES

    used = {
        key
        for name in PUBLIC_PAGES
        for key in USED.findall((SRC / "web" / "templates" / name).read_text(encoding="utf-8"))
    }
    assert len(used) > 30 and used <= set(MESSAGES)


def test_a_key_missing_from_one_catalog_is_found(tmp_path, monkeypatch):
    for lang, body in (("zh-CN", 'msgid "a.b"\nmsgstr "甲"\n'), ("en", "")):
        path = tmp_path / LOCALES[lang] / "LC_MESSAGES" / "web.sample_text.po"
        path.parent.mkdir(parents=True)
        path.write_text(body, encoding="utf-8")
    monkeypatch.setattr(locale, "ROOT", tmp_path)
    catalog.cache_clear()
    try:
        assert locale.domains() == ["web.sample_text"]
        assert set(_entries("web.sample_text", "zh-CN")) != set(_entries("web.sample_text", "en"))
        # At run time the page shows the other language rather than nothing.
        assert locale.messages("qcert.web.sample_text") == {"a.b": ("甲", "甲")}
    finally:
        catalog.cache_clear()


def test_no_chinese_text_elsewhere_has_doubled_words():
    # Rules' messages, scheme files and every string in the code (templates included).
    from qcert.lifecycle.rules import RULES

    for rule in RULES.values():
        assert not DOUBLED.search(rule.zh), rule.id
    files = [*SRC.rglob("*.py"), *SRC.rglob("*.yaml"), *SRC.rglob("*.html")]
    assert len(files) > 100
    for path in files:
        found = DOUBLED.search(path.read_text(encoding="utf-8"))
        assert found is None, (str(path), found and found[0])
