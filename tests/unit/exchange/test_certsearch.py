"""IAF CertSearch records: field mapping, dates, statuses, batches, confidentiality, import
errors of both kinds, and lossless JSON and xlsx round trips."""

import copy
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from qcert.exchange import certsearch as cs
from qcert.lifecycle import CertStatus

BODY = {
    "id": "cb1",
    "approval_no": "CNCA-R-2002-cb1",
    "name_zh": "示例认证中心",
    "name_en": "Example Certification",
    "accreditation": "CNAS C001-M",
}
SITES = {
    "hq": {"id": "hq", "name": "总部", "address": "北京市海淀区示例路1号", "adcode": "110108"},
    "plant": {
        "id": "plant",
        "name": "工厂",
        "address": "天津市滨海新区示例路2号",
        "adcode": "120116",
    },
}


def row(number="00123Q0001", status="active", confidential=False, client_id="c1", scope=None):
    scope = scope or "精密机械零件的生产 / Production of precision parts"
    return {
        "number": number,
        "certification_id": f"cert-{number}",
        "body_id": "cb1",
        "client_id": client_id,
        "scheme_id": "iso9001",
        "status": status,
        "scope": scope,
        "sites": [{"site": "hq", "scope": scope}, {"site": "plant", "scope": "装配 / Assembly"}],
        "issue_date": "2023-03-01",
        "original_issue_date": "2020-03-01",
        "expiry_date": "2026-02-28",
        "deadline": None,
        "transferred_to": None,
        "sectors": [18, 17],
        "client": {
            "id": client_id,
            "uscc": "91110108551385082Q",
            "name_zh": "示例精密制造有限公司",
            "name_en": "Example Precision Manufacturing",
            "confidential": confidential,
            "address": "北京市海淀区示例路1号",
            "adcode": "110108",
            "sites": SITES,
        },
    }


def test_a_certificate_maps_to_the_v2_certified_entity_and_certification_objects():
    record = cs.to_record(row(), BODY)
    assert record["certified_entity"] == {
        "certified_entity_unique_id": "c1",
        "certified_entity_name": "示例精密制造有限公司",
        "certified_entity_english_name": "Example Precision Manufacturing",
        "confidential_certified_entity": "false",
        "business_registered_full_address": "北京市海淀区示例路1号",
        "business_registered_country": "China",
        "business_registration_number": "91110108551385082Q",
    }
    cert = record["certification"]
    assert cert["certificate_identity_number"] == "cert-00123Q0001"
    assert cert["certificate_number"] == "00123Q0001"
    assert cert["certificate_accreditation_status"] == "Accredited"
    assert cert["certification_type"] == "Management System"
    assert cert["schemes"] == [
        {"scheme_name": "ISO 9001", "standard_list": [{"standards_name": "ISO 9001:2015"}]}
    ]
    assert cert["sites"][1] == {
        "street": "天津市滨海新区示例路2号",
        "country": "China",
        "scope_description": "装配 / Assembly",
    }
    assert cert["certification_sectors"] == [
        {"sector_code": "17", "sector_name": "Basic metals and fabricated metal products"},
        {"sector_code": "18", "sector_name": "Machinery and equipment"},
    ]


def test_dates_are_written_as_yyyymmdd():
    cert = cs.to_record(row(), BODY)["certification"]
    assert cert["certification_original_issue_date"] == "20200301"
    assert cert["certification_issue_date"] == "20230301"
    assert cert["certification_expiry_date"] == "20260228"
    assert cs.yyyymmdd(date(2024, 2, 29)) == "20240229"


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (CertStatus.active, "Active"),
        (CertStatus.suspended, "Suspended"),
        (CertStatus.withdrawn, "Withdrawn"),
        (CertStatus.expired, "Expired"),
    ],
)
def test_every_status_maps_to_a_certsearch_status_that_uploads(ours, theirs):
    record = cs.to_record(row(status=ours.value), BODY)
    assert record["certification"]["certification_status"] == theirs
    assert cs.validate([record]).errors == []


def test_a_body_without_accreditation_issues_unaccredited_certificates():
    cert = cs.to_record(row(), {**BODY, "accreditation": ""})["certification"]
    assert cert["certificate_accreditation_status"] == "Unaccredited"


def test_confidential_clients_are_reduced_to_what_certsearch_shows():
    record = cs.to_record(row(confidential=True), BODY)
    entity = record["certified_entity"]
    assert entity["confidential_certified_entity"] == "true"
    assert entity["business_registration_number"] == ""
    assert entity["business_registered_full_address"] == ""
    assert entity["certified_entity_name"] == "示例精密制造有限公司"
    assert record["certification"]["sites"] == []
    assert "91110108551385082Q" not in repr(record) and "示例路" not in repr(record)
    assert cs.validate([record]).errors == []


@pytest.mark.parametrize(("total", "sizes"), [(0, [0]), (1000, [1000]), (1001, [1000, 1])])
def test_batches_hold_at_most_1000_records(total, sizes):
    records = list(range(total))
    assert [len(b) for b in cs.batches(records)] == sizes
    assert cs.batch_count(total) == len(sizes)


def test_a_batch_document_refuses_more_than_1000_records():
    record = cs.to_record(row(), BODY)
    doc = cs.batch_document([record] * 1000, 1, 2)
    assert (doc["format"], doc["batch"], doc["batches"], len(doc["records"])) == (
        "iaf-certsearch-upload",
        1,
        2,
        1000,
    )
    with pytest.raises(ValueError, match="at most 1000 records, got 1001"):
        cs.batch_document([record] * 1001, 1, 2)


def _records():
    return [
        cs.to_record(row("N-1"), BODY),
        cs.to_record(row("N-2", status="suspended", confidential=True, client_id="c2"), BODY),
        cs.to_record(row("N-3", scope="=1+1 (not a formula)"), BODY),
    ]


def test_missing_required_fields_name_the_record_the_field_and_the_kind():
    records = _records()
    del records[1]["certified_entity"]["certified_entity_name"]
    records[1]["certification"]["certification_issue_date"] = ""
    records[2]["certification"]["schemes"] = []
    report = cs.validate(records)
    assert (report.total, len(report.records), report.failed) == (3, 1, 2)
    assert {(e.index, e.certificate_number, e.field, e.kind) for e in report.errors} == {
        (2, "N-2", "certified_entity.certified_entity_name", cs.MISSING_FIELD),
        (2, "N-2", "certification.certification_issue_date", cs.MISSING_FIELD),
        (3, "N-3", "certification.schemes", cs.MISSING_FIELD),
    }
    blank = next(e for e in report.errors if e.field.endswith("issue_date"))
    assert blank.en == (
        "record 2 (N-2): certification.certification_issue_date: "
        "missing required field: cannot be left empty"
    )
    assert (
        blank.zh == "第 2 条（N-2）：certification.certification_issue_date：缺少必填字段：不能为空"
    )


def test_an_entity_that_is_not_confidential_needs_its_registered_address():
    record = cs.to_record(row(), BODY)
    record["certified_entity"]["business_registered_full_address"] = ""
    [error] = cs.validate([record]).errors
    assert error.field == "certified_entity.business_registered_full_address"
    assert error.kind == cs.MISSING_FIELD


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        (("certification", "certification_status"), "Valid", "'Valid' is not one of Active"),
        (("certification", "certification_issue_date"), "2023-03-01", "not a date as YYYYMMDD"),
        (("certification", "certification_expiry_date"), "20230230", "not a date as YYYYMMDD"),
        (("certification", "certificate_accreditation_status"), "Yes", "not one of Accredited"),
        (("certification", "certificate_number"), 123, "must be text"),
        (("certification", "certificate_number"), "N" * 61, "at most 60 characters"),
        (("certified_entity", "certified_entity_unique_id"), "c1<script>", "only letters"),
        (("certified_entity", "confidential_certified_entity"), "yes", "not one of true"),
        (("certified_entity", "fax"), "123", "is not a CertSearch v2 field"),
    ],
)
def test_values_certsearch_cannot_map_are_data_mapping_errors(path, value, rule):
    record = cs.to_record(row(), BODY)
    record[path[0]][path[1]] = value
    [error] = cs.validate([record]).errors
    assert (error.index, error.field, error.kind) == (1, ".".join(path), cs.DATA_MAPPING)
    assert rule in error.rule and error.rule_zh
    assert "数据映射" in error.zh


def test_statuses_are_matched_without_regard_to_case_as_certsearch_does():
    record = cs.to_record(row(), BODY)
    record["certification"]["certification_status"] = "cancelled"
    assert cs.validate([record]).errors == []


def test_unknown_sector_codes_and_duplicate_identity_numbers_are_data_mapping_errors():
    one, two = cs.to_record(row("N-1"), BODY), cs.to_record(row("N-1"), BODY)
    one["certification"]["certification_sectors"][0]["sector_code"] = "40"
    errors = cs.validate([one, two]).errors
    assert [(e.index, e.field) for e in errors] == [
        (1, "certification.certification_sectors.0.sector_code"),
        (2, "certification.certificate_identity_number"),
    ]
    assert all(e.kind == cs.DATA_MAPPING for e in errors)
    assert "already used by record 1" in errors[1].rule


def test_the_json_round_trip_is_lossless():
    records = _records()
    data = cs.write_json(cs.batch_document(records, 1, 1))
    assert cs.read_json(data) == records
    assert cs.read_json(b'{"certified_entity": {}, "certification": {}}') == [
        {"certified_entity": {}, "certification": {}}
    ]
    with pytest.raises(cs.CertSearchFileError, match="not JSON"):
        cs.read_json(b"<xml/>")


def test_the_xlsx_round_trip_is_lossless():
    records = _records()
    again = cs.read_xlsx(cs.write_xlsx(copy.deepcopy(records)))
    assert again == records
    assert cs.validate(again).errors == []


def test_xlsx_cells_are_text_never_formulas_or_numbers():
    book = load_workbook(io.BytesIO(cs.write_xlsx(_records())))
    assert book.sheetnames == [
        "Certifications",
        "Certification Standards",
        "Certification Sites",
        "Certification Sector",
    ]
    sheet = book["Certifications"]
    head = [c.value for c in sheet[1]]
    assert head[0] == "Certified Entity Unique ID" and "Certification Expiry Date" in head
    date_cell = sheet.cell(2, head.index("Certification Issue Date") + 1)
    assert (date_cell.value, date_cell.data_type) == ("20230301", "s")
    scope_cell = sheet.cell(4, head.index("Certification Scope") + 1)
    assert (scope_cell.value, scope_cell.data_type) == ("=1+1 (not a formula)", "s")
    sectors = book["Certification Sector"]
    assert [c.value for c in sectors[2]] == [
        "cert-N-1",
        "17",
        "Basic metals and fabricated metal products",
    ]


def _workbook(sheets):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r in rows:
            sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_files_that_are_not_certsearch_workbooks_are_refused_whole():
    with pytest.raises(cs.CertSearchFileError, match="no sheet 'Certifications'"):
        cs.read_xlsx(_workbook({"Sheet1": [["a"]]}))
    with pytest.raises(cs.CertSearchFileError, match="unknown column 'Fax'"):
        cs.read_xlsx(_workbook({"Certifications": [["Certificate Number", "Fax"]]}))
    with pytest.raises(cs.CertSearchFileError, match="not an xlsx workbook"):
        cs.read_xlsx(b"not a zip")


def test_a_workbook_from_elsewhere_reads_numbers_and_dates_as_certsearch_text():
    head = [h for _, h in (*cs.ENTITY_FIELDS, *cs.CERTIFICATION_FIELDS)]
    values = dict.fromkeys(head, "x")
    values |= {
        "Certified Entity Unique ID": "c9",
        "Confidential Certified Entity": True,
        "Certificate Number": 20897,
        "Certification Status": "Active",
        "Accreditation Status": "Accredited",
        "Certification Type": "Management System",
        "Certification Original Issue Date": None,
        "Certification Issue Date": date(2023, 3, 1),
        "Certification Expiry Date": 20260228,
    }
    data = _workbook(
        {
            "Certifications": [head, [values[h] for h in head]],
            "Certification Standards": [
                ["Certification Identity Number", "Scheme Name", "Standard Name"],
                ["x", "ISO 9001", "ISO 9001:2015"],
            ],
        }
    )
    [record] = cs.read_xlsx(data)
    cert = record["certification"]
    assert cert["certificate_number"] == "20897"
    assert cert["certification_issue_date"] == "20230301"
    assert cert["certification_expiry_date"] == "20260228"
    assert record["certified_entity"]["confidential_certified_entity"] == "true"
    assert cs.validate([record]).errors == []
