"""The printable certificate: what ISO/IEC 17021-1 8.2.2 asks it to state, in both languages."""

import re
from datetime import date

import pytest

from qcert.credentials.printable import (
    BANNERS,
    LABELS,
    file_name,
    render_html,
    render_pdf,
    verification_url,
)
from tests.pdfs import font_of, pdf_pages, pdf_text, qr_codes

HASH = "0f" * 32
TODAY = date(2024, 1, 1)
SCOPE = "精密机械零件的生产 / Production of precision parts"


def _sheet(**changes):
    sheet = {
        "number": "00123Q0001",
        "status": "active",
        "scheme_id": "iso9001",
        "scope": SCOPE,
        "sites": [
            {
                "id": "hq",
                "name": "总部",
                "address": "北京市海淀区示例路1号",
                "adcode": "110108",
                "scope": SCOPE,
            },
            {
                "id": "plant",
                "name": "滨海工厂",
                "address": "天津市滨海新区示例路2号",
                "adcode": "120116",
                "scope": "零件热处理 / Heat treatment of parts",
            },
        ],
        "issue_date": "2023-03-01",
        "original_issue_date": "2023-03-01",
        "expiry_date": "2026-02-28",
        "deadline": None,
        "transferred_to": None,
        "milestones": [],
        "organisation": {
            "name_zh": "示例精密制造有限公司",
            "name_en": "Example Precision Manufacturing",
            "uscc": "91110108551385082Q",
            "address": "北京市海淀区示例路1号",
        },
        "body": {
            "id": "cb1",
            "approval_no": "CNCA-R-2002-001",
            "name_zh": "示例认证中心",
            "name_en": "Example Certification",
            "accreditation": "CNAS C001-M",
        },
        "withheld": False,
        "sha256": HASH,
    }
    return sheet | changes


@pytest.fixture(scope="module")
def active_pdf():
    return render_pdf(_sheet(), "cert.example", TODAY)


@pytest.fixture(scope="module")
def suspended_pdf():
    return render_pdf(_sheet(status="suspended", deadline="2024-06-30"), "cert.example", TODAY)


def _flat(text):
    return re.sub(r"\s+", "", text)


def test_the_verification_url_holds_the_number_and_the_lowercase_hash():
    url = verification_url("cert.example:8443", "QC 2024/01", HASH.upper())
    assert url == f"https://cert.example:8443/v/QC%202024%2F01?sha256={HASH}"


@pytest.mark.parametrize(
    ("host", "number", "sha256", "field"),
    [
        ("cert.example", "N1", "ab" * 31, "sha256"),
        ("cert.example", "N1", "zz" * 32, "sha256"),
        ("", "N1", HASH, "host"),
        ("evil.example/x", "N1", HASH, "host"),
        ("cert.example", "", HASH, "number"),
    ],
)
def test_a_bad_host_number_or_hash_is_refused_naming_the_field(host, number, sha256, field):
    with pytest.raises(ValueError, match=f"^{field}: "):
        verification_url(host, number, sha256)


def test_every_label_is_printed_in_both_languages(active_pdf):
    text = _flat(pdf_text(active_pdf))
    conditional = {"withheld", "suspended_until", "transferred_to"}
    for key, (zh, en) in LABELS.items():
        if key not in conditional:
            assert _flat(zh) in text and _flat(en) in text, key


def test_the_pdf_states_number_standard_organisation_dates_sites_and_body(active_pdf):
    text = pdf_text(active_pdf)
    for expected in (
        "管理体系认证证书",
        "Management System Certificate",
        "00123Q0001",
        "ISO 9001:2015",
        "示例精密制造有限公司",
        "Example Precision Manufacturing",
        "91110108551385082Q",
        "2023-03-01",
        "2026-02-28",
        "示例认证中心",
        "CNCA-R-2002-001",
        "CNAS C001-M (ISO/IEC 17021-1)",
        "北京市海淀区示例路1号",
        "滨海工厂",
        "天津市滨海新区示例路2号",
        "零件热处理 / Heat treatment of parts",
    ):
        assert expected in text, expected
    assert "SUSPENDED" not in text and "已暂停" not in text
    assert pdf_pages(active_pdf) == 1


def test_chinese_text_is_drawn_with_a_cjk_font(active_pdf):
    assert "CJK" in font_of(active_pdf, "示例精密制造有限公司")


def test_the_qr_code_decodes_to_the_verification_url(active_pdf):
    url = verification_url("cert.example", "00123Q0001", HASH)
    assert qr_codes(active_pdf) == [url]
    text = _flat(pdf_text(active_pdf))
    assert url in text and HASH in text


def test_a_suspended_certificate_says_so_across_the_page(suspended_pdf):
    text = pdf_text(suspended_pdf)
    assert "SUSPENDED / 已暂停" in text
    assert "暂停期限至 Suspended until: 2024-06-30" in text
    assert qr_codes(suspended_pdf) == [verification_url("cert.example", "00123Q0001", HASH)]


@pytest.mark.parametrize(
    ("changes", "banner"),
    [
        ({"status": "withdrawn", "transferred_to": "cb2"}, "withdrawn"),
        ({"status": "expired"}, "expired"),
        ({"expiry_date": "2023-12-31"}, "expired"),  # still "active" in the table, but lapsed
    ],
)
def test_a_certificate_not_valid_today_carries_its_banner(changes, banner):
    html = render_html(_sheet(**changes), "cert.example", TODAY)
    zh, en = BANNERS[banner]
    assert f'<div class="banner">{en} / {zh}' in html


def test_an_active_certificate_carries_no_banner():
    assert 'class="banner"' not in render_html(_sheet(), "cert.example", TODAY)


def test_renewals_and_scope_changes_are_listed_with_their_dates():
    milestones = [
        {"event": "extended", "on": "2024-05-01"},
        {"event": "reduced", "on": "2025-01-10"},
        {"event": "renewed", "on": "2026-02-01"},
    ]
    html = render_html(_sheet(milestones=milestones), "cert.example", TODAY)
    rows = re.findall(r'<span class="en">([^<]+)</span></th><td>([\d-]+)</td>', html)
    assert rows == [
        ("Original issue date", "2023-03-01"),
        ("Scope extended", "2024-05-01"),
        ("Scope reduced", "2025-01-10"),
        ("Certification renewed", "2026-02-01"),
        ("Issue date", "2023-03-01"),
        ("Expiry date", "2026-02-28"),
    ]


def test_a_product_certificate_names_the_products_under_iso_iec_17065():
    html = render_html(_sheet(scheme_id="urn:qcert:scheme:product:generic"), "c.example", TODAY)
    assert "产品认证证书" in html and "Product Certificate" in html
    assert "认证产品" in html and "Products certified" in html
    assert "(ISO/IEC 17065)" in html and "管理体系" not in html


def test_a_withheld_sheet_prints_no_sites_credit_code_or_address():
    sheet = _sheet(sites=[], withheld=True)
    sheet["organisation"] = sheet["organisation"] | {"uscc": None, "address": None}
    html = render_html(sheet, "cert.example", TODAY)
    assert LABELS["withheld"][1].replace("'", "&#39;") in html
    assert "91110108551385082Q" not in html and "示例路" not in html
    assert LABELS["sites"][1] not in html


def test_text_from_the_record_is_escaped():
    sheet = _sheet(scope='<img src=x onerror="alert(1)">')
    html = render_html(sheet, "cert.example", TODAY)
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_the_file_name_is_safe():
    assert file_name("QC 2024/../01") == "certificate-QC_2024_.._01.pdf"
