"""IAF CertSearch upload records (template v2, with the v2.1 sector fields), as JSON and xlsx.

Pure mapping, no I/O: certificate rows (``store.views.certificate_rows``) become CertSearch
records, records are cut into upload batches, and records read back from a file are validated
with per-record errors of CertSearch's two kinds, "Missing Required Field" and "Data Mapping".

A record is the body of CertSearch's v2 single upload: ``{"certified_entity": {...},
"certification": {...}}``; a JSON batch file wraps up to 1,000 of them in a document of ours
(``format``, ``template``, ``batch``, ``batches``, ``records``), each record ready to post as it
is. Field names are CertSearch's, taken from its support site:

- v2 upload, the ``certified_entity`` and ``certification`` objects and their field names
  (``certified_entity_unique_id``, ``certified_entity_name``, ``certified_entity_english_name``,
  ``confidential_certified_entity``, ``business_registered_full_address``,
  ``business_registered_country``, ``business_registration_number``;
  ``certificate_identity_number``, ``certificate_number``, ``certification_status``,
  ``certificate_accreditation_status``, ``certification_type``, ``certification_scope``):
  https://support.iafcertsearch.org/api-developer-guide/api-integration/certification-body-apis/v2/certification-api/upload-certification
- dates as YYYYMMDD (``certification_original_issue_date``, ``certification_issue_date``,
  ``certification_expiry_date``), ``schemes`` / ``standard_list`` / ``standards_name``, and
  ``sites`` with ``street``, ``country``, ``scope_description`` (v1 upload):
  https://support.iafcertsearch.org/docs/api-access/certification-body-apis/certification-api/upload-certification
- Excel column names, mandatory fields, character limits, accepted statuses, and which error
  each breach raises (field glossary, versions 1.1 to 2.1):
  https://support.iafcertsearch.org/certification-bodies/field-name-glossary/certification-fields-glossary/version-2.0/certified-entity-data-fields
  https://support.iafcertsearch.org/certification-bodies/field-name-glossary/certification-fields-glossary/version-1.1/certification-data-fields
  https://support.iafcertsearch.org/certification-bodies/field-name-glossary/certification-fields-glossary/version-2.0/certification-data-fields/certification-sites
- sectors (``certification_sectors``, ``sector_code``, ``sector_name``; the Excel tab
  "Certification Sector"), template 2.1:
  https://support.iafcertsearch.org/iaf-certsearch-releases/system-updates/iaf-certsearch-release-notes/iaf-certsearch-release-august-19-2024
- at most 1,000 certification records per bulk upload (earlier copies of the page said 100):
  https://support.iafcertsearch.org/api-developer-guide/api-integration/certification-body-apis/v1/certification-api/bulk-upload-certification

Not confirmed by those pages, and to be checked against the template CertSearch hands out:
the part of the v2 ``certification`` object after ``flexible_scope`` (the date, ``schemes``,
``sites`` and ``certification_sectors`` keys are the v1 API's and the 2.1 XML template's);
the value format of ``confidential_certified_entity`` (we write ``true`` / ``false``); the
Excel headers "Confidential Certified Entity", "Certified Entity Full Address", "Business
Registration Number", "Scheme Name", "Standard Name" and "Site Street"; the tab names other than
"Certification Sector"; the column order of CertSearch's own template (we read columns by
their headers); and the certification types besides "Management System".
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from .. import schemes
from ..errors import QcertError
from ..lifecycle.cycle import CertStatus

__all__ = [
    "BATCH_LIMIT",
    "CERTSEARCH_STATUS",
    "DATA_MAPPING",
    "MISSING_FIELD",
    "CertSearchFileError",
    "CertSearchRecord",
    "ImportReport",
    "RecordError",
    "batch_count",
    "batch_document",
    "batches",
    "read_json",
    "read_xlsx",
    "to_record",
    "validate",
    "write_json",
    "write_xlsx",
    "yyyymmdd",
]

# IAF CertSearch certification status for each of ours, one to one.
CERTSEARCH_STATUS = {
    CertStatus.active: "Active",
    CertStatus.suspended: "Suspended",
    CertStatus.withdrawn: "Withdrawn",
    CertStatus.expired: "Expired",
}

FORMAT = "iaf-certsearch-upload"
TEMPLATE = "2.1"
BATCH_LIMIT = 1000
MISSING_FIELD = "missing required field"
DATA_MAPPING = "data mapping"
_KIND_ZH = {MISSING_FIELD: "缺少必填字段", DATA_MAPPING: "数据映射"}

# Every GB/T 2260 division code is in China; CertSearch names countries in English.
COUNTRY = "China"
# Accepted "Certification Status" values (glossary 1.1); ours map one to one onto four of them.
STATUSES = ("Active", "Inactive", "Suspended", "Cancelled", "Draft", "Withdrawn", "Expired")
ACCREDITATION = ("Accredited", "Unaccredited")
# "Management System" is CertSearch's; product and service need its data mapping (see above).
TYPES = {"management-system": "Management System", "product": "Product", "service": "Service"}

# (JSON key, Excel header), in column order.
ENTITY_FIELDS = (
    ("certified_entity_unique_id", "Certified Entity Unique ID"),
    ("certified_entity_name", "Certified Entity Name"),
    ("certified_entity_english_name", "Certified Entity English Name"),
    ("confidential_certified_entity", "Confidential Certified Entity"),
    ("business_registered_full_address", "Certified Entity Full Address"),
    ("business_registered_country", "Certified Entity Country/Economy"),
    ("business_registration_number", "Business Registration Number"),
)
CERTIFICATION_FIELDS = (
    ("certificate_identity_number", "Certification Identity Number"),
    ("certificate_number", "Certificate Number"),
    ("certification_status", "Certification Status"),
    ("certificate_accreditation_status", "Accreditation Status"),
    ("certification_type", "Certification Type"),
    ("certification_scope", "Certification Scope"),
    ("certification_original_issue_date", "Certification Original Issue Date"),
    ("certification_issue_date", "Certification Issue Date"),
    ("certification_expiry_date", "Certification Expiry Date"),
)
STANDARD_FIELDS = (("scheme_name", "Scheme Name"), ("standards_name", "Standard Name"))
SITE_FIELDS = (
    ("street", "Site Street"),
    ("country", "Site Country/Economy"),
    ("scope_description", "Site Scope"),
)
SECTOR_FIELDS = (("sector_code", "Sector Code"), ("sector_name", "Sector Name"))
SHEETS = (
    "Certifications",
    "Certification Standards",
    "Certification Sites",
    "Certification Sector",
)
_KEY_HEADER = "Certification Identity Number"


class CertSearchFileError(QcertError):
    """A file that is not a CertSearch upload file at all (as opposed to a bad record in one)."""

    status = 422


# -- export ------------------------------------------------------------------


def yyyymmdd(day: str | date) -> str:
    """An ISO date (``2023-03-01`` or a ``date``) as CertSearch writes it: ``20230301``."""
    value = day if isinstance(day, date) else date.fromisoformat(day)
    return value.strftime("%Y%m%d")


@cache
def _scheme(scheme_id: str) -> tuple[str, str, str]:
    """(certification type, scheme name, standard name) of a bundled scheme."""
    s = schemes.get(scheme_id)
    return TYPES[s.kind.value], s.standard.code, f"{s.standard.code}:{s.standard.edition}"


def _site(site: Mapping[str, str], client_sites: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    known = client_sites.get(site["site"], {})
    return {
        "street": str(known.get("address", "")),
        "country": COUNTRY,
        "scope_description": site["scope"],
    }


def to_record(row: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """The CertSearch record of one certificate row (``store.views.certificate_rows``).

    ``body`` is the issuing body's row (its ``accreditation`` decides the accreditation status).
    A confidential client is reduced to what CertSearch shows of one: its id, names and
    country, flagged confidential; no address, credit code or sites.
    """
    client = row["client"]
    hidden = bool(client["confidential"])
    kind, scheme_name, standard = _scheme(row["scheme_id"])
    sectors = schemes.sectors()
    return {
        "certified_entity": {
            "certified_entity_unique_id": client["id"],
            "certified_entity_name": client["name_zh"],
            "certified_entity_english_name": client["name_en"],
            "confidential_certified_entity": "true" if hidden else "false",
            "business_registered_full_address": "" if hidden else client["address"],
            "business_registered_country": COUNTRY,
            "business_registration_number": "" if hidden else client["uscc"],
        },
        "certification": {
            "certificate_identity_number": row["certification_id"],
            "certificate_number": row["number"],
            "certification_status": CERTSEARCH_STATUS[CertStatus(row["status"])],
            "certificate_accreditation_status": ACCREDITATION[0 if body["accreditation"] else 1],
            "certification_type": kind,
            "certification_scope": row["scope"],
            "certification_original_issue_date": yyyymmdd(row["original_issue_date"]),
            "certification_issue_date": yyyymmdd(row["issue_date"]),
            "certification_expiry_date": yyyymmdd(row["expiry_date"]),
            "schemes": [
                {"scheme_name": scheme_name, "standard_list": [{"standards_name": standard}]}
            ],
            "sites": [] if hidden else [_site(s, client["sites"]) for s in row["sites"]],
            "certification_sectors": [
                {"sector_code": str(code), "sector_name": sectors[code].en}
                for code in sorted(row["sectors"])
            ],
        },
    }


T = TypeVar("T")


def batch_count(total: int, size: int | None = None) -> int:
    """How many upload batches ``total`` records take, ``size`` (default :data:`BATCH_LIMIT`)
    to a batch; an empty export is one empty batch."""
    return max(1, math.ceil(total / (size or BATCH_LIMIT)))


def batches(records: Sequence[T], size: int | None = None) -> list[Sequence[T]]:
    """``records`` cut into batches of at most ``size`` (CertSearch takes 1,000 per upload)."""
    size = size or BATCH_LIMIT
    return [records[i * size : (i + 1) * size] for i in range(batch_count(len(records), size))]


def batch_document(records: Sequence[Mapping[str, Any]], batch: int, of: int) -> dict[str, Any]:
    """One batch as a JSON document: which batch of how many, and its records."""
    if len(records) > BATCH_LIMIT:
        raise ValueError(f"a batch holds at most {BATCH_LIMIT} records, got {len(records)}")
    return {
        "format": FORMAT,
        "template": TEMPLATE,
        "batch": batch,
        "batches": of,
        "records": list(records),
    }


def write_json(document: Mapping[str, Any]) -> bytes:
    """A batch document as UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def write_xlsx(records: Iterable[Mapping[str, Any]]) -> bytes:
    """Records as a CertSearch-style workbook: one row per certification on the first tab, its
    standards, sites and sectors on their own tabs keyed by the Certification Identity Number."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    tabs = {name: book.create_sheet(name) for name in SHEETS}
    heads = (
        [h for _, h in (*ENTITY_FIELDS, *CERTIFICATION_FIELDS)],
        [_KEY_HEADER, *(h for _, h in STANDARD_FIELDS)],
        [_KEY_HEADER, *(h for _, h in SITE_FIELDS)],
        [_KEY_HEADER, *(h for _, h in SECTOR_FIELDS)],
    )

    def text_row(sheet: Any, values: Iterable[Any]) -> None:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
            cell.data_type = "s"  # text, always: never a formula or a number Excel reshapes
            cells.append(cell)
        sheet.append(cells)

    for name, head in zip(SHEETS, heads, strict=True):
        text_row(tabs[name], head)
    for r in records:
        entity, cert = r["certified_entity"], r["certification"]
        key = cert["certificate_identity_number"]
        text_row(
            tabs["Certifications"],
            [entity.get(k, "") for k, _ in ENTITY_FIELDS]
            + [cert.get(k, "") for k, _ in CERTIFICATION_FIELDS],
        )
        for scheme in cert.get("schemes", []):
            for std in scheme.get("standard_list", []):
                text_row(
                    tabs["Certification Standards"],
                    [key, scheme.get("scheme_name"), std.get("standards_name")],
                )
        for site in cert.get("sites", []):
            text_row(tabs["Certification Sites"], [key, *(site.get(k) for k, _ in SITE_FIELDS)])
        for sector in cert.get("certification_sectors", []):
            text_row(
                tabs["Certification Sector"], [key, *(sector.get(k) for k, _ in SECTOR_FIELDS)]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- reading files -------------------------------------------------------------


def read_json(data: bytes) -> list[Any]:
    """The records of a JSON upload file: a batch document, a list, or one record."""
    try:
        doc = json.loads(data)
    except ValueError as err:
        raise CertSearchFileError(f"not JSON: {err}") from None
    if isinstance(doc, dict) and "records" in doc:
        doc = doc["records"]
    elif isinstance(doc, dict) and "certification" in doc:
        doc = [doc]
    if not isinstance(doc, list):
        raise CertSearchFileError("records: must be a list of CertSearch records")
    return doc


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(book: Any, name: str, fields: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """A tab's rows as dicts by JSON key; absent columns stay absent, unknown ones are refused."""
    if name not in book.sheetnames:
        if name == SHEETS[0]:
            raise CertSearchFileError(f"no sheet {name!r}: not a CertSearch upload workbook")
        return []
    rows = book[name].iter_rows(values_only=True)
    head = [_cell(h) for h in next(rows, ())]
    keys = {h: k for k, h in fields}
    unknown = [h for h in head if h and h not in keys]
    if unknown:
        raise CertSearchFileError(f"sheet {name!r}: unknown column {unknown[0]!r}")
    out = []
    for values in rows:
        cells = [_cell(v) for v in values]
        if any(cells):
            out.append({keys[h]: c for h, c in zip(head, cells, strict=False) if h})
    return out


def read_xlsx(data: bytes) -> list[dict[str, Any]]:
    """The records of a workbook written by :func:`write_xlsx` (or laid out the same way)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several kinds for a file that is no workbook
        raise CertSearchFileError(f"not an xlsx workbook: {err}") from None
    key = ("certificate_identity_number", _KEY_HEADER)
    main = _rows(book, SHEETS[0], (*ENTITY_FIELDS, *CERTIFICATION_FIELDS))
    standards = _rows(book, SHEETS[1], (key, *STANDARD_FIELDS))
    sites = _rows(book, SHEETS[2], (key, *SITE_FIELDS))
    sectors = _rows(book, SHEETS[3], (key, *SECTOR_FIELDS))
    book.close()

    def children(rows: list[dict[str, str]], ident: str) -> list[dict[str, str]]:
        return [{k: v for k, v in r.items() if k != key[0]} for r in rows if r.get(key[0]) == ident]

    entity_keys = {k for k, _ in ENTITY_FIELDS}
    records = []
    for row in main:
        ident = row.get(key[0], "")
        cert = {k: v for k, v in row.items() if k not in entity_keys}
        by_scheme: dict[str, list[dict[str, str]]] = {}
        for std in children(standards, ident):
            by_scheme.setdefault(std.get("scheme_name", ""), []).append(
                {"standards_name": std.get("standards_name", "")}
            )
        cert["schemes"] = [{"scheme_name": n, "standard_list": s} for n, s in by_scheme.items()]
        cert["sites"] = children(sites, ident)
        cert["certification_sectors"] = children(sectors, ident)
        records.append(
            {
                "certified_entity": {k: v for k, v in row.items() if k in entity_keys},
                "certification": cert,
            }
        )
    return records


# -- validation ---------------------------------------------------------------


def _missing(en: str, zh: str) -> PydanticCustomError:
    return PydanticCustomError("missing_required_field", "{en}", {"en": en, "zh": zh})


def _mapping(en: str, zh: str) -> PydanticCustomError:
    return PydanticCustomError("data_mapping", "{en}", {"en": en, "zh": zh})


def _required(value: str) -> str:
    if not value.strip():
        raise _missing("cannot be left empty", "不能为空")
    return value


def _at_most(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if len(value) > limit:
            raise _mapping(f"at most {limit} characters", f"不超过 {limit} 个字符")
        return value

    return check


def _one_of(*allowed: str, case: bool = True) -> Callable[[str], str]:
    def check(value: str) -> str:
        found = value in allowed if case else value.lower() in {a.lower() for a in allowed}
        if value and not found:
            listed = ", ".join(allowed)
            raise _mapping(f"{value!r} is not one of {listed}", f"“{value}”不在 {listed} 之中")
        return value

    return check


def _date(value: str) -> str:
    if value:
        try:
            datetime.strptime(value, "%Y%m%d")
        except ValueError:
            raise _mapping(
                f"{value!r} is not a date as YYYYMMDD", f"“{value}”不是 YYYYMMDD 格式的日期"
            ) from None
    return value


# Glossary: letters of any script, digits, spaces and @ # - + = \ / : ; , ~ _ .
_UNIQUE_ID = re.compile(r"[\w @#\-+=\\/:;,~.]*")


def _unique_id(value: str) -> str:
    if not _UNIQUE_ID.fullmatch(value):
        raise _mapping(
            "only letters, digits and @ # - + = \\ / : ; , ~ _ . are allowed",
            "只能含字母、数字及 @ # - + = \\ / : ; , ~ _ .",
        )
    return value


def _sector_code(value: str) -> str:
    if not (value.isdigit() and int(value) in schemes.sectors()):
        raise _mapping(
            f"{value!r} is not an IAF CertSearch sector code (1 to 39)",
            f"“{value}”不是 IAF CertSearch 行业代码（1 至 39）",
        )
    return value


def _not_empty(items: list[Any]) -> list[Any]:
    if not items:
        raise _missing("at least one is required", "至少须有一项")
    return items


Required = Annotated[str, AfterValidator(_required)]
Name = Annotated[str, AfterValidator(_required), AfterValidator(_at_most(300))]
EnglishName = Annotated[str, AfterValidator(_at_most(300))]
Number = Annotated[str, AfterValidator(_required), AfterValidator(_at_most(60))]
UniqueId = Annotated[
    str, AfterValidator(_required), AfterValidator(_at_most(45)), AfterValidator(_unique_id)
]
Day = Annotated[str, AfterValidator(_required), AfterValidator(_date)]
OptionalDay = Annotated[str, AfterValidator(_date)]
SiteScope = Annotated[str, AfterValidator(_at_most(10_000))]
SectorCode = Annotated[str, AfterValidator(_required), AfterValidator(_sector_code)]
Status = Annotated[str, AfterValidator(_required), AfterValidator(_one_of(*STATUSES, case=False))]
Accreditation = Annotated[str, AfterValidator(_required), AfterValidator(_one_of(*ACCREDITATION))]
CertificationType = Annotated[
    str, AfterValidator(_required), AfterValidator(_one_of(*TYPES.values()))
]
Flag = Annotated[str, AfterValidator(_one_of("true", "false"))]


class _Edge(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class StandardName(_Edge):
    standards_name: Required


class SchemeEntry(_Edge):
    scheme_name: Required
    standard_list: Annotated[list[StandardName], AfterValidator(_not_empty)]


class SiteEntry(_Edge):
    street: str = ""
    # Glossary: the site country is required whenever a site is given.
    country: Required
    scope_description: SiteScope = ""


class SectorEntry(_Edge):
    sector_code: SectorCode
    sector_name: str = ""


class CertifiedEntity(_Edge):
    certified_entity_unique_id: UniqueId
    certified_entity_name: Name
    certified_entity_english_name: EnglishName = ""
    confidential_certified_entity: Flag = "false"
    business_registered_full_address: str = ""
    business_registered_country: Required
    business_registration_number: str = ""


class Certification(_Edge):
    certificate_identity_number: Number
    certificate_number: Number
    certification_status: Status
    certificate_accreditation_status: Accreditation
    certification_type: CertificationType
    certification_scope: str = ""
    certification_original_issue_date: OptionalDay = ""
    certification_issue_date: Day
    certification_expiry_date: Day
    # v1 upload: ``schemes`` is mandatory (the standard certified to)
    schemes: Annotated[list[SchemeEntry], AfterValidator(_not_empty)]
    sites: list[SiteEntry] = []
    certification_sectors: list[SectorEntry] = []


class CertSearchRecord(_Edge):
    """One CertSearch v2 record, as validated at the edge."""

    certified_entity: CertifiedEntity
    certification: Certification


@dataclass(frozen=True)
class RecordError:
    """Why one record would not upload: which record, which field, which kind, which rule."""

    index: int  # counts from 1, in file order
    certificate_number: str
    field: str
    kind: str  # MISSING_FIELD or DATA_MAPPING
    rule: str
    rule_zh: str

    @property
    def en(self) -> str:
        """One line in English."""
        number = self.certificate_number or "no certificate number"
        return f"record {self.index} ({number}): {self.field}: {self.kind}: {self.rule}"

    @property
    def zh(self) -> str:
        """One line in Chinese."""
        number = self.certificate_number or "无证书编号"
        kind = _KIND_ZH[self.kind]
        return f"第 {self.index} 条（{number}）：{self.field}：{kind}：{self.rule_zh}"

    def as_dict(self) -> dict[str, Any]:
        """The error as a JSON object."""
        return {
            "index": self.index,
            "certificate_number": self.certificate_number,
            "field": self.field,
            "kind": self.kind,
            "rule": self.rule,
            "rule_zh": self.rule_zh,
            "message": self.en,
            "message_zh": self.zh,
        }


@dataclass(frozen=True)
class ImportReport:
    """The outcome of validating a file's records."""

    records: list[CertSearchRecord]
    errors: list[RecordError]
    total: int

    @property
    def failed(self) -> int:
        """How many records have at least one error."""
        return len({e.index for e in self.errors})


# Pydantic's own error types, in both languages.
_BUILTIN = {
    "missing": (MISSING_FIELD, "is required", "为必填字段"),
    "extra_forbidden": (DATA_MAPPING, "is not a CertSearch v2 field", "不是 CertSearch v2 字段"),
    "string_type": (DATA_MAPPING, "must be text", "须为文本"),
    "list_type": (DATA_MAPPING, "must be a list", "须为列表"),
    "model_type": (DATA_MAPPING, "must be an object", "须为对象"),
}


def _certification_field(raw: Any, name: str) -> str:
    cert = raw.get("certification") if isinstance(raw, dict) else None
    value = cert.get(name) if isinstance(cert, dict) else None
    return value if isinstance(value, str) else ""


def _errors_of(index: int, number: str, err: ValidationError) -> list[RecordError]:
    out = []
    for e in err.errors():
        field = ".".join(str(p) for p in e["loc"]) or "(record)"
        if e["type"] in ("missing_required_field", "data_mapping"):
            kind = MISSING_FIELD if e["type"] == "missing_required_field" else DATA_MAPPING
            en, zh = e["ctx"]["en"], e["ctx"]["zh"]
        else:
            kind, en, zh = _BUILTIN.get(e["type"], (DATA_MAPPING, e["msg"], "格式不符"))
        out.append(RecordError(index, number, field, kind, en, zh))
    return out


def _address_rule(index: int, rec: CertSearchRecord) -> list[RecordError]:
    """v2 upload: a registered address is required (street, city or full address); for a
    confidential entity CertSearch shows none, so none is sent."""
    entity = rec.certified_entity
    if entity.confidential_certified_entity == "true" or entity.business_registered_full_address:
        return []
    return [
        RecordError(
            index,
            rec.certification.certificate_number,
            "certified_entity.business_registered_full_address",
            MISSING_FIELD,
            "a registered address is required unless the entity is confidential",
            "非保密获证组织须填写注册地址",
        )
    ]


def validate(raw_records: Iterable[Any]) -> ImportReport:
    """Validate records as CertSearch would take them; every error names its record and field.

    Identity numbers must be unique in a file: CertSearch looks records up by them.
    """
    good: list[CertSearchRecord] = []
    errors: list[RecordError] = []
    first_seen: dict[str, int] = {}
    total = 0
    for index, raw in enumerate(raw_records, start=1):
        total = index
        number = _certification_field(raw, "certificate_number")
        problems: list[RecordError] = []
        try:
            rec: CertSearchRecord | None = CertSearchRecord.model_validate(raw)
        except ValidationError as err:
            rec = None
            problems += _errors_of(index, number, err)
        if rec is not None:
            problems += _address_rule(index, rec)
        ident = _certification_field(raw, "certificate_identity_number")
        if ident in first_seen:
            problems.append(
                RecordError(
                    index,
                    number,
                    "certification.certificate_identity_number",
                    DATA_MAPPING,
                    f"{ident!r} is already used by record {first_seen[ident]}",
                    f"“{ident}”已被第 {first_seen[ident]} 条使用",
                )
            )
        elif ident:
            first_seen[ident] = index
        errors += problems
        if rec is not None and not problems:
            good.append(rec)
    return ImportReport(good, errors, total)
