"""Certificate numbers by the body's numbering rule (lifecycle.numbering)."""

from __future__ import annotations

from qcert.lifecycle.numbering import next_number, number_prefix, serial_of, size_code

ISO9001 = "urn:qcert:scheme:iso9001:2015"


def test_the_prefix_is_body_code_year_and_scheme_code():
    assert number_prefix("CNCA-R-2002-001", 2026, ISO9001) == "00126Q3"
    assert number_prefix("CNCA-R-2011-058", 2031, "urn:qcert:scheme:iso14001:2015") == "05831E2"


def test_no_prefix_without_three_digits_or_a_scheme_code():
    assert number_prefix("CNCA-R-2002-cb1", 2026, ISO9001) is None
    assert number_prefix("CNCA-R-2002-001", 2026, "urn:qcert:scheme:unknown:1") is None


def test_the_next_serial_follows_the_highest_taken_and_ignores_other_layouts():
    taken = ["00126Q30007R0M", "00126Q30012R1S", "00126Q3-free-text", "00126Q3001R0M"]
    assert next_number("00126Q3", taken, 55) == "00126Q30013R0M"
    assert serial_of("00126Q3-free-text", "00126Q3") is None
    assert serial_of("00126Q30012R1S", "00125Q3") is None


def test_the_first_number_of_a_year_is_serial_one_and_the_size_is_marked():
    assert next_number("00126Q3", [], 12) == "00126Q30001R0S"
    assert [size_code(n) for n in (49, 50, 999, 1000)] == ["S", "M", "M", "L"]
