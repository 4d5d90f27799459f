"""Unified social credit codes (GB 32100-2015) and division codes (GB/T 2260)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qcert.lifecycle.identifiers import check_adcode, check_uscc, uscc_check_char

CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.mark.parametrize("code", ["91110108551385082Q", "91440300708461136T"])
def test_published_codes_of_real_companies_validate(code):
    assert check_uscc(code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91110108551385082", "18 characters"),
        ("91110108551385082A", "check character is 'A'"),
        ("9111010855138508IQ", "characters outside GB 32100"),
        ("911101080000000001", "all zeros"),
    ],
)
def test_bad_codes_say_why(code, reason):
    assert reason in check_uscc(code)


@given(
    st.text(CHARS[:10], min_size=2, max_size=2).filter(lambda s: s[0] != "0"),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(CHARS, min_size=9, max_size=9),
)
def test_any_code_with_its_computed_check_character_validates(head, division, org):
    first17 = head + division + org
    if org == "000000000":
        return
    code = first17 + uscc_check_char(first17)
    assert check_uscc(code) is None
    wrong = CHARS[(CHARS.index(code[-1]) + 1) % 31]
    assert check_uscc(first17 + wrong) is not None


def test_division_codes():
    assert check_adcode("110108") is None
    assert check_adcode("820000") is None
    assert "6 digits" in check_adcode("11010")
    assert "province part 79" in check_adcode("790101")
