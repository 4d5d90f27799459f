"""Word and Excel files are taken for what their bytes are, and never with macros."""

from __future__ import annotations

import random

import pytest

from qcert.lifecycle.documents import check_document, media_type_of
from qcert.lifecycle.office import DOC, DOCX, XLS, XLSX, OfficeRefused, office_type_of
from qcert.schemes import RuleViolation
from tests import office_files as files


def test_a_workbook_and_a_word_document_are_what_they_claim():
    assert media_type_of(files.xlsx()) == XLSX
    assert media_type_of(files.docx()) == DOCX


def test_legacy_word_and_excel_files_are_told_apart_by_their_streams():
    assert media_type_of(files.compound("WordDocument", "1Table")) == DOC
    assert media_type_of(files.compound("Workbook")) == XLS


@pytest.mark.parametrize(
    "data",
    [
        files.docm(),
        files.xlsx_with_vba(),
        files.compound("WordDocument", "Macros"),
        files.compound("Workbook", "_VBA_PROJECT_CUR"),
    ],
    ids=["docm", "xlsx-with-vba", "doc-with-macros", "xls-with-vba"],
)
def test_macros_are_refused_in_either_form(data):
    with pytest.raises(OfficeRefused) as refused:
        office_type_of(data)
    assert refused.value.reason == "macros"
    assert media_type_of(data) is None


def test_a_renamed_program_or_a_broken_package_is_not_an_office_file():
    assert media_type_of(files.renamed_exe()) is None
    assert office_type_of(files.renamed_exe()) is None
    truncated = files.xlsx()[:300]
    with pytest.raises(OfficeRefused, match="damaged"):
        office_type_of(truncated)
    assert media_type_of(truncated) is None


def test_a_zip_that_is_no_office_document_is_refused():
    with pytest.raises(OfficeRefused, match="unsupported"):
        office_type_of(files.compound("PowerPoint Document"))
    plain_zip = files.docx(main_type="application/xml")
    with pytest.raises(OfficeRefused, match="unsupported"):
        office_type_of(plain_zip)


def test_the_name_must_end_as_the_content_is():
    data = files.xlsx()
    name, _ = check_document("a" * 64, "检验记录.xlsx", XLSX, len(data), "records")
    assert name == "检验记录.xlsx"
    with pytest.raises(RuleViolation, match="filename"):
        check_document("a" * 64, "检验记录.docx", XLSX, len(data), "records")


@pytest.mark.parametrize(
    "original",
    [files.xlsx(), files.docx(), files.compound("WordDocument"), files.compound("Workbook")],
    ids=["xlsx", "docx", "doc", "xls"],
)
def test_damaged_office_files_are_refused_never_crash(original):
    # Bytes flipped, cut and zeroed at seeded random places: always a type or a refusal.
    rng = random.Random(17)
    for _ in range(300):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(8, len(data))]
        try:
            found = office_type_of(bytes(data))
        except OfficeRefused as refused:
            assert refused.reason in ("macros", "damaged", "unsupported")
        else:
            assert found in (DOC, DOCX, XLS, XLSX, None)
        assert media_type_of(bytes(data)) in (DOC, DOCX, XLS, XLSX, "text/plain", None)
