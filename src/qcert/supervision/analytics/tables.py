"""The hub's analytic tables: the contract between the hub's intake and its analytics.

The intake fills these tables from what certification bodies report (applications, audit plans,
check-ins, results, findings, decisions, certificates, status changes); the risk indicators and
scores read them and nothing else (国市监认证发〔2025〕72号 (十一): one national body of
supervision data; (十二): profiles and risk early warning from it).

Conventions of every table:

- identifiers are strings as users know them: body ids as in the CNCA approval (``CNCA-R-…``),
  auditor registration numbers (CCAA), unified social credit codes (GB 32100-2015, 18 chars),
  certificate numbers; ``audits.audit_id`` alone is the hub's own number (int64) for a reported
  audit, since audit ids are only unique within one body;
- administrative divisions are GB/T 2260 codes as 6-character strings (``"310000"``);
- timestamps are UTC without a zone (``timestamp``); dates are the business day in China;
- audit time is in audit days of 8 hours (IAF MD 5:2019 2.2); coordinates are degrees WGS 84.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa
from ibis.backends import BaseBackend

__all__ = ["TABLES", "Column", "HubTables", "arrow_schema", "load", "reference", "schema"]


@dataclass(frozen=True)
class Column:
    """One column: its name, ibis type and meaning (units, codes)."""

    name: str
    type: str
    doc: str
    nullable: bool = False


C = Column
SIZES = ("micro", "small", "medium", "large")
KINDS = ("stage1", "stage2", "surveillance", "recertification", "special")
METHODS = ("FS01", "FS02", "FS03")
STATUSES = ("active", "suspended", "withdrawn", "expired")

TABLES: dict[str, tuple[Column, ...]] = {
    "bodies": (
        C("body_id", "string", "approval number of the certification body (CNCA-R-…)"),
        C("name", "string", "registered name"),
        C("province", "string", "GB/T 2260 code of the province of its seat (6 chars)"),
        C("city", "string", "GB/T 2260 code of the city of its seat (6 chars)"),
    ),
    "body_scopes": (
        C("body_id", "string", "the body"),
        C("scheme", "string", "certification scheme code (QMS, EMS, OHSMS, …)"),
        C("sector", "string", 'IAF sector code, 2 digits ("01"-"39")'),
        C("granted_on", "date", "first day the approval covers this scheme and sector"),
        C("revoked_on", "date", "first day it no longer does; null while in force", True),
    ),
    "auditors": (
        C("registration_id", "string", "CCAA registration number of the auditor"),
        C("name", "string", "name"),
        C("registered", "boolean", "registration currently valid at CCAA"),
    ),
    "auditor_employments": (
        C("registration_id", "string", "the auditor"),
        C("body_id", "string", "the body employing them"),
        C("since", "date", "first day of the employment"),
        C("until", "date", "last day of the employment; null while it lasts", True),
    ),
    "organisations": (
        C("org_id", "string", "unified social credit code (GB 32100-2015, 18 chars)"),
        C("name", "string", "registered name"),
        C("province", "string", "GB/T 2260 code of the province (6 chars)"),
        C("city", "string", "GB/T 2260 code of the city (6 chars)"),
        C(
            "size",
            "string",
            "enterprise size class: micro, small, medium, large (工信部联企业〔2011〕300号)",
        ),
        C(
            "deregistered_on",
            "date",
            "day the business registration was cancelled (注销); null while registered",
            True,
        ),
    ),
    "certificates": (
        C("cert_no", "string", "certificate number"),
        C("body_id", "string", "issuing body"),
        C("org_id", "string", "certified organisation"),
        C("scheme", "string", "certification scheme code"),
        C("sector", "string", "IAF sector code of the certified scope (2 digits)"),
        C("applied_at", "timestamp", "when the application was received (UTC)"),
        C("issued_on", "date", "day of the certification decision and issue"),
        C("expires_on", "date", "last day of validity"),
        C("status", "string", "status as last reported: active, suspended, withdrawn, expired"),
    ),
    "status_changes": (
        C("cert_no", "string", "the certificate"),
        C("status", "string", "new status: active, suspended, withdrawn, expired"),
        C("effective_on", "date", "day the new status took effect"),
        C("recorded_at", "timestamp", "when the body recorded it (UTC)"),
    ),
    "audits": (
        C("audit_id", "int64", "the hub's number for the reported audit"),
        C("body_id", "string", "body that ran the audit"),
        C("cert_no", "string", "certificate (or application's future certificate) audited"),
        C("org_id", "string", "audited organisation"),
        C("kind", "string", "stage1, stage2, surveillance, recertification, special"),
        C("method", "string", "CNCA audit method: FS01 on-site, FS02 remote, FS03 combined"),
        C("start_on", "date", "first audit day"),
        C("end_on", "date", "last audit day"),
        C("planned_days", "float64", "planned audit time (audit days)"),
        C("actual_days", "float64", "audit time actually spent (audit days)"),
        C("onsite_days", "float64", "of which on site (audit days)"),
        C(
            "md5_days",
            "float64",
            "IAF MD 5 table time for the organisation before any reduction (audit days)",
        ),
        C("site_lat", "float64", "latitude of the audited site (degrees, WGS 84)"),
        C("site_lon", "float64", "longitude of the audited site (degrees, WGS 84)"),
        C("findings_major", "int64", "major nonconformities raised (count)"),
        C("findings_minor", "int64", "minor nonconformities raised (count)"),
    ),
    "audit_team": (
        C("audit_id", "int64", "the audit"),
        C("registration_id", "string", "team member's CCAA registration number"),
        C("role", "string", "lead, auditor, technical-expert, trainee"),
    ),
    "checkins": (
        C("audit_id", "int64", "the audit"),
        C("registration_id", "string", "who checked in or out"),
        C("kind", "string", "in or out"),
        C("at", "timestamp", "when (UTC)"),
        C("lat", "float64", "latitude of the device (degrees, WGS 84)"),
        C("lon", "float64", "longitude of the device (degrees, WGS 84)"),
    ),
    "sampling_results": (
        C("org_id", "string", "sampled organisation"),
        C("sampled_on", "date", "day the national sampling inspection result was published"),
        C("failed", "boolean", "the product failed the inspection (不合格)"),
    ),
    "reports": (
        C("body_id", "string", "reporting body"),
        C("record_id", "string", "the body's id of the reported record"),
        C(
            "kind",
            "string",
            "what was reported: application, audit-plan, checkin, audit-result, "
            "finding, decision, certificate, status-change",
        ),
        C("occurred_at", "timestamp", "when the reported fact happened (UTC)"),
        C("received_at", "timestamp", "when the hub received this revision (UTC)"),
        C("revision", "int64", "1 for the first report of the record, then 2, 3, …"),
    ),
    "public_queries": (
        C("cert_no", "string", "certificate number someone looked up on the public service"),
        C("queried_at", "timestamp", "when (UTC)"),
    ),
}


def schema(table: str) -> ibis.Schema:
    """The ibis schema of one hub table (nullable columns as documented)."""
    return ibis.schema({c.name: dt.dtype(c.type).copy(nullable=c.nullable) for c in TABLES[table]})


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of one hub table (timestamps in microseconds, no zone)."""
    return schema(table).to_pyarrow()


@dataclass(frozen=True)
class HubTables:
    """The hub's tables as ibis table expressions, all on one backend."""

    bodies: ibis.Table
    body_scopes: ibis.Table
    auditors: ibis.Table
    auditor_employments: ibis.Table
    organisations: ibis.Table
    certificates: ibis.Table
    status_changes: ibis.Table
    audits: ibis.Table
    audit_team: ibis.Table
    checkins: ibis.Table
    sampling_results: ibis.Table
    reports: ibis.Table
    public_queries: ibis.Table


assert [f.name for f in fields(HubTables)] == list(TABLES)


def _arrow(table: str, data: Any) -> pa.Table:
    """``data`` (pandas frame, Arrow table or rows) as an Arrow table of the contract's types."""
    target = arrow_schema(table)
    names = data.column_names if isinstance(data, pa.Table) else list(data.columns)
    missing = [n for n in target.names if n not in names]
    if missing:
        raise ValueError(
            f"{table}: missing column(s) {', '.join(missing)} / 缺少列 {', '.join(missing)}"
        )
    if isinstance(data, pa.Table):
        arrow = data.select(target.names).cast(target)
    else:
        arrow = pa.Table.from_pandas(data[target.names], schema=target, preserve_index=False)
    for column in TABLES[table]:
        if not column.nullable and arrow.column(column.name).null_count:
            raise ValueError(f"{table}.{column.name}: must not be null / 不得为空")
    return arrow


def load(backend: BaseBackend, sources: Mapping[str, Any], prefix: str = "hub_") -> HubTables:
    """Register each hub table on ``backend`` and return them as :class:`HubTables`.

    ``sources`` maps every table name to a pandas frame, an Arrow table, or the path of a
    parquet file (or directory) written with :func:`arrow_schema`. Frames are checked against
    the contract's columns and types; parquet files are read as they are and cast.
    """
    missing = [n for n in TABLES if n not in sources]
    if missing:
        raise ValueError(f"sources: missing table(s) {', '.join(missing)}")
    built: dict[str, ibis.Table] = {}
    for name in TABLES:
        data = sources[name]
        if isinstance(data, (str, Path)):
            table = backend.read_parquet(str(data), table_name=f"{prefix}{name}")
            built[name] = table.select(*schema(name).names).cast(schema(name))
        else:
            table = backend.create_table(
                f"{prefix}{name}", _arrow(name, data), schema=schema(name), overwrite=True
            )
            built[name] = table
    return HubTables(**built)


def reference() -> str:
    """The tables as Markdown: one section per table, one row per column."""
    out = [
        "# Supervision hub tables",
        "",
        "Generated from `qcert.supervision.analytics.tables`.",
        "",
    ]
    for name, columns in TABLES.items():
        out += [f"## `{name}`", "", "| column | type | meaning |", "|---|---|---|"]
        for c in columns:
            kind = c.type + (", nullable" if c.nullable else "")
            out.append(f"| `{c.name}` | {kind} | {c.doc} |")
        out.append("")
    return "\n".join(out)
