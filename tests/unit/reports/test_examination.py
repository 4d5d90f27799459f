"""The examination report's HTML in one language or both."""

import pytest

from qcert.reports.examination import LABELS, demo_examination, render_html, seed_of


@pytest.fixture(scope="module")
def exam():
    return demo_examination("client-html")


def test_each_language_shows_only_its_own_headings(exam):
    en, zh = render_html(exam, "en"), render_html(exam, "zh-CN")
    both = render_html(exam, "both")
    for key in ("title", "capability", "alarms", "recommendations"):
        zh_text, en_text = LABELS[key]
        assert en_text in en and zh_text not in en
        assert zh_text in zh and en_text not in zh
        assert zh_text in both and en_text in both
    assert both.count("<svg") == 5  # three characteristics, the monitor, the contributions


def test_bad_language_and_stable_seeds(exam):
    with pytest.raises(ValueError, match="lang"):
        render_html(exam, "fr")
    # First 4 bytes of SHA-256("a") = ca978112…
    assert seed_of("a") == 0xCA978112
