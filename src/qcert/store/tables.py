"""The application's tables: the index of lifecycle events, the aggregates' snapshots and the
projections.

Every row here is derived from events on the ledger (``qcert ledger audit``
rebuilds them and reports any difference). Only the unit of work writes them
(through ``store.projections`` and ``store.snapshots``), and only while
committing the events they come from.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["PROJECTIONS", "metadata"]

metadata = sa.MetaData()

events = sa.Table(
    "lc_events",
    metadata,
    sa.Column("ledger_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("aggregate", sa.String(120), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.UniqueConstraint("aggregate", "seq", name="uq_lc_events_aggregate_seq"),
)
sa.Index("ix_lc_events_tenant", events.c.tenant)

# Each aggregate's newest snapshot: its state after its first ``seq`` events, written with
# the events that reached it (``store.snapshots``). Not a projection: which aggregates have
# one depends on how their events were committed; the audit checks each one that is here.
snapshots = sa.Table(
    "lc_snapshots",
    metadata,
    sa.Column("aggregate", sa.String(120), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("format", sa.SmallInteger, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
)

bodies = sa.Table(
    "lc_bodies",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("approval_no", sa.String(64), nullable=False),
    sa.Column("name_zh", sa.String(500), nullable=False),
    sa.Column("name_en", sa.String(500), nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),
)
body_keys = sa.Table(
    "lc_body_keys",
    metadata,
    sa.Column("body_id", sa.String(64), primary_key=True),
    sa.Column("key_id", sa.String(64), primary_key=True),
    sa.Column("public_key_multibase", sa.String(64), nullable=False),
    sa.Column("valid_from", sa.String(20), nullable=False),
    sa.Column("revoked", sa.String(20)),
)
auditors = sa.Table(
    "lc_auditors",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("body_id", sa.String(64), nullable=False, index=True),
    sa.Column("qualifications", sa.Text, nullable=False),
)
clients = sa.Table(
    "lc_clients",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("uscc", sa.String(18), nullable=False, unique=True),
    sa.Column("personnel", sa.Integer, nullable=False),
    sa.Column("sites", sa.Text, nullable=False),
    sa.Column("name_zh", sa.String(500), nullable=False, server_default=""),
    sa.Column("name_en", sa.String(500), nullable=False, server_default=""),
    sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()),
)
certifications = sa.Table(
    "lc_certifications",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("body_id", sa.String(64), nullable=False, index=True),
    sa.Column("client_id", sa.String(64), nullable=False, index=True),
    sa.Column("scheme_id", sa.String(120), nullable=False),
    sa.Column("sectors", sa.String(200), nullable=False),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("cycle", sa.Integer, nullable=False),
    sa.Column("initial_days", sa.Float),
    sa.Column("decided_on", sa.String(10)),
    # The certificate's bit in its body's status lists; unique, so two certifications can
    # never be drawn the same bit even when drawn concurrently.
    sa.Column("status_list", sa.Integer),
    sa.Column("status_index", sa.Integer),
    sa.UniqueConstraint(
        "body_id", "status_list", "status_index", name="uq_lc_certifications_status_entry"
    ),
)
audits = sa.Table(
    "lc_audits",
    metadata,
    sa.Column("certification_id", sa.String(64), primary_key=True),
    sa.Column("audit_id", sa.String(64), primary_key=True),
    sa.Column("body_id", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("method", sa.String(8), nullable=False),
    sa.Column("start", sa.String(10), nullable=False),
    sa.Column("end", sa.String(10), nullable=False),
    sa.Column("planned_days", sa.Float, nullable=False),
    sa.Column("actual_days", sa.Float),
    sa.Column("last_day", sa.String(10)),
    sa.Column("team", sa.Text, nullable=False),
)
findings = sa.Table(
    "lc_findings",
    metadata,
    sa.Column("certification_id", sa.String(64), primary_key=True),
    sa.Column("finding_id", sa.String(64), primary_key=True),
    sa.Column("body_id", sa.String(64), nullable=False, index=True),
    sa.Column("audit_id", sa.String(64), nullable=False),
    sa.Column("grade", sa.String(16), nullable=False),
    sa.Column("clause", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
)
certificates = sa.Table(
    "lc_certificates",
    metadata,
    sa.Column("number", sa.String(64), primary_key=True),
    sa.Column("certification_id", sa.String(64), nullable=False, unique=True),
    sa.Column("body_id", sa.String(64), nullable=False, index=True),
    sa.Column("client_id", sa.String(64), nullable=False, index=True),
    sa.Column("scheme_id", sa.String(120), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("certsearch_status", sa.String(16), nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("sites", sa.Text, nullable=False),
    sa.Column("issue_date", sa.String(10), nullable=False),
    sa.Column("original_issue_date", sa.String(10), nullable=False),
    sa.Column("expiry_date", sa.String(10), nullable=False),
    sa.Column("deadline", sa.String(10)),
    sa.Column("transferred_to", sa.String(64)),
)
programme = sa.Table(
    "lc_programme",
    metadata,
    sa.Column("certification_id", sa.String(64), primary_key=True),
    sa.Column("item", sa.String(32), primary_key=True),
    sa.Column("body_id", sa.String(64), nullable=False, index=True),
    sa.Column("due_by", sa.String(10), nullable=False, index=True),
    sa.Column("done_on", sa.String(10)),
)
credentials = sa.Table(
    "lc_credentials",
    metadata,
    sa.Column("ledger_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("certification_id", sa.String(64), nullable=False, index=True),
    sa.Column("body_id", sa.String(64), nullable=False, index=True),
    sa.Column("number", sa.String(64), nullable=False, index=True),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
)
certificate_history = sa.Table(
    "lc_certificate_history",
    metadata,
    sa.Column("ledger_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("certification_id", sa.String(64), nullable=False, index=True),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("on", sa.String(10), nullable=False),
)
# One row per document uploaded (an event), so the list carries each upload's ledger index.
documents = sa.Table(
    "lc_documents",
    metadata,
    sa.Column("ledger_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("filename", sa.String(200), nullable=False),
    sa.Column("media_type", sa.String(128), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("purpose", sa.String(500), nullable=False),
    sa.Column("uploaded_by", sa.String(64), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    # The certification it was given for, whose body may read it; NULL: the organisation's own.
    sa.Column("certification_id", sa.String(64), nullable=True),
    # Its SM3 digest, and for a photo when and where it was taken; NULL on older uploads.
    sa.Column("sm3", sa.String(64), nullable=True),
    sa.Column("taken_at", sa.String(40), nullable=True),
    sa.Column("taken_lat", sa.Float, nullable=True),
    sa.Column("taken_lon", sa.Float, nullable=True),
)
sa.Index("ix_lc_documents_client", documents.c.client_id, documents.c.sha256)
cases = sa.Table(
    "lc_cases",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("certification_id", sa.String(64), nullable=False),
    sa.Column("body_id", sa.String(64), nullable=False, index=True),
    sa.Column("handler", sa.String(64), nullable=False),
    sa.Column("resolved", sa.Boolean, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("resolved_on", sa.String(10), nullable=True),
)

accounts = sa.Table(
    "lc_accounts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("roles", sa.Text, nullable=False),
)
# Live API keys by their exact id (the key's secret is only in ``auth_secrets``, hashed).
api_keys = sa.Table(
    "lc_api_keys",
    metadata,
    sa.Column("key_id", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.String(64), nullable=False, index=True),
    sa.Column("label", sa.String(200), nullable=False),
)
# An organisation's standing consents to bodies filing applications for it.
consents = sa.Table(
    "lc_consents",
    metadata,
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column("body_id", sa.String(64), primary_key=True),
    sa.Column("given_by", sa.String(64), nullable=False),
    sa.Column("note", sa.String(500), nullable=False),
)
invitations = sa.Table(
    "lc_invitations",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("client_id", sa.String(64), nullable=False, index=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("expires", sa.String(10), nullable=False),
    sa.Column("account_id", sa.String(64)),
)
# Secret hashes: not a projection but a store the events commit to (``secret_commitment``),
# written only in the transaction of the event that commits to it.
secrets = sa.Table(
    "auth_secrets",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("hash", sa.String(200), nullable=False),
)

# Sessions and sign-in failures: not projections but the state of who is signed in now,
# which no event records (a sign-out is not a business fact). Sessions are named by the
# SHA-256 of their token; times are seconds since the epoch (UTC).
sessions = sa.Table(
    "auth_sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
sign_in_failures = sa.Table(
    "auth_failures",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False),
)

# Tables that are a pure function of aggregate state, keyed by the aggregate they come from.
status_lists = sa.Table(
    "lc_status_lists",
    metadata,
    sa.Column("list_id", sa.String(120), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("body_id", sa.String(64), nullable=False),
    sa.Column("purpose", sa.String(16), nullable=False),
    sa.Column("list_no", sa.Integer, nullable=False),
    sa.Column("valid_from", sa.String(20), nullable=False),
    sa.Column("ledger_index", sa.BigInteger, nullable=False, unique=True),
    sa.Column("sha256", sa.String(64), nullable=False),
)
sa.Index("ix_lc_status_lists_lookup", status_lists.c.body_id, status_lists.c.purpose)

line_alarms = sa.Table(
    "lc_line_alarms",
    metadata,
    sa.Column("line_id", sa.String(140), primary_key=True),
    sa.Column("reading", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("client_id", sa.String(64), nullable=False, index=True),
    sa.Column("line", sa.String(64), nullable=False),
    sa.Column("onset", sa.Integer, nullable=False),
    sa.Column("statistic", sa.String(32), nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("limit", sa.Float, nullable=False),
    sa.Column("top_variables", sa.Text, nullable=False),
    sa.Column("at", sa.String(20), nullable=False),
    sa.Column("cleared", sa.Integer),
    sa.Column("cleared_at", sa.String(20)),
)

# The supervision hub: the bodies enrolled for reporting (a projection of their aggregates)...
hub_bodies = sa.Table(
    "hub_bodies",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("region", sa.String(6), nullable=False, index=True),
    sa.Column("origin", sa.String(200), nullable=False, index=True),
    sa.Column("vkey", sa.String(400), nullable=False),
    sa.Column("enrolled_on", sa.String(10), nullable=False),
    sa.Column("signing_keys", sa.Text, nullable=False),  # JSON: key id -> publicKeyMultibase
    sa.Column("reported", sa.Integer, nullable=False),
    sa.Column("submissions", sa.Integer, nullable=False),
    sa.Column("last_received", sa.String(40), nullable=False),
    sa.Column("refusals", sa.Text, nullable=False),  # JSON: the witness's refusals of its log
)
# ... and every record they reported, one row per accepted revision, from the hub's events.
hub_records = sa.Table(
    "hub_records",
    metadata,
    sa.Column("ledger_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("body_id", sa.String(64), nullable=False),
    sa.Column("record_id", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("certification_id", sa.String(64), nullable=True),
    sa.Column("audit_id", sa.String(64), nullable=True),
    sa.Column("certificate_no", sa.String(64), nullable=True),
    sa.Column("region", sa.String(6), nullable=True),
    sa.Column("occurred_at", sa.String(40), nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("lag_s", sa.BigInteger, nullable=False),
    sa.Column("body_ledger_index", sa.BigInteger, nullable=True),
    sa.Column("record", sa.Text, nullable=False),
)
sa.Index("ix_hub_records_body_record", hub_records.c.body_id, hub_records.c.record_id)
sa.Index("ix_hub_records_certification", hub_records.c.body_id, hub_records.c.certification_id)
sa.Index("ix_hub_records_region", hub_records.c.region)
sa.Index("ix_hub_records_audit", hub_records.c.body_id, hub_records.c.audit_id)
sa.Index("ix_hub_records_number", hub_records.c.certificate_no)
# The hub's other sources (registers), one row per imported row, from the hub's events; the
# newest row of a (source, key) is the one in force.
hub_registry = sa.Table(
    "hub_registry",
    metadata,
    sa.Column("ledger_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("key", sa.String(500), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)
sa.Index("ix_hub_registry_source_key", hub_registry.c.source, hub_registry.c.key)

# Risk scans: each day's indicator counts, body grades and the riskiest organisations.
hub_scans = sa.Table(
    "hub_scans",
    metadata,
    sa.Column("as_of", sa.String(10), primary_key=True),
    sa.Column("counts", sa.Text, nullable=False),  # JSON
    sa.Column("grades", sa.Text, nullable=False),  # JSON
    sa.Column("classes", sa.Text, nullable=False),  # JSON
    sa.Column("riskiest", sa.Text, nullable=False),  # JSON
)

# Random inspection campaigns (双随机、一公开): committed, drawn, and their published results.
hub_draws = sa.Table(
    "hub_draws",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("jurisdiction", sa.String(6), nullable=False, index=True),
    sa.Column("commitment", sa.String(64), nullable=False),
    sa.Column("inputs_sha256", sa.String(64), nullable=False),
    sa.Column("committed_on", sa.String(10), nullable=False),
    sa.Column("seed", sa.String(256), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("population", sa.Integer, nullable=False),
    sa.Column("strata", sa.Text, nullable=False),  # JSON
    sa.Column("selections", sa.Text, nullable=False),  # JSON
    sa.Column("results", sa.Text, nullable=False),  # JSON: target -> outcome, on, note
)

# Early warnings: each (indicator, entity) pair, routed by the division it lies in.
hub_warnings = sa.Table(
    "hub_warnings",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("indicator", sa.String(64), nullable=False, index=True),
    sa.Column("entity_kind", sa.String(16), nullable=False),
    sa.Column("entity_id", sa.String(128), nullable=False),
    sa.Column("body_id", sa.String(64), nullable=False, index=True),
    sa.Column("org_id", sa.String(64), nullable=False),
    sa.Column("region", sa.String(6), nullable=False, index=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("threshold", sa.Float, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),  # JSON: reported records' ids
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("priority", sa.Integer, nullable=True),
    sa.Column("raised", sa.Integer, nullable=False),
    sa.Column("referred_to", sa.String(200), nullable=False),  # ",code,code," or ""
    sa.Column("history", sa.Text, nullable=False),  # JSON
)

# Real-time evidence: the data sources of organisations (a projection of ``evidence.device-*``
# and ``evidence.window-anchored`` events), and each anchored window (indexed by its event).
evidence_devices = sa.Table(
    "evidence_devices",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("client_id", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("variables", sa.Text, nullable=False),  # JSON: [{name, unit, lower?, upper?}]
    sa.Column("public_key", sa.String(64), nullable=False),  # base64 Ed25519, "" for none
    sa.Column("signed", sa.Boolean, nullable=False),
    sa.Column("retired", sa.Boolean, nullable=False),
    sa.Column("anchored_until", sa.BigInteger, nullable=False),  # µs since the epoch, UTC
    sa.Column("windows", sa.Integer, nullable=False),
)

evidence_windows = sa.Table(
    "evidence_windows",
    metadata,
    sa.Column("ledger_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("device_id", sa.String(64), nullable=False),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("start_us", sa.BigInteger, nullable=False),
    sa.Column("end_us", sa.BigInteger, nullable=False),
    sa.Column("first_seq", sa.BigInteger, nullable=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("root", sa.String(64), nullable=False),
)
sa.Index(
    "ix_evidence_windows_device_start", evidence_windows.c.device_id, evidence_windows.c.start_us
)

# The readings themselves and the messages refused. Evidence data, not projections: a reading
# is stored once by (device, seq), and what vouches for it is its window's root on the ledger
# (``qcert ledger audit`` recomputes every anchored window from these rows). Readings are
# stored a block at a time (``qcert.evidence.blocks``): one row holds up to 1,024 new readings
# of one device, in seq order, packed, under a header of what they span.
evidence_blocks = sa.Table(
    "evidence_blocks",
    metadata,
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("first_seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("start_us", sa.BigInteger, nullable=False),  # the earliest reading, µs, UTC
    sa.Column("end_us", sa.BigInteger, nullable=False),  # the latest (inclusive)
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("received", sa.LargeBinary, nullable=False),  # int64 LE each: received, µs
    sa.Column("seqs", sa.LargeBinary, nullable=False),  # int64 LE each, ascending
    sa.Column("times", sa.LargeBinary, nullable=False),  # int64 LE each: taken, µs
    # canonical bytes (RFC 8785), "\n"-joined; "" where the block keeps its values instead
    sa.Column("bodies", sa.Text, nullable=False),
    sa.Column("leaves", sa.LargeBinary, nullable=False),  # RFC 9162 leaf hashes, 32 bytes each
    # Where it keeps its values: the variables, comma-joined, and the values under them, row
    # by row, binary64 LE (qcert.evidence.blocks); null where it keeps texts.
    sa.Column("variables", sa.Text, nullable=True),
    sa.Column("value_table", sa.LargeBinary, nullable=True),
)
sa.Index("ix_evidence_blocks_device_start", evidence_blocks.c.device_id, evidence_blocks.c.start_us)
# A device's newest reading is one seek (which windows are due asks it every pass).
sa.Index("ix_evidence_blocks_device_end", evidence_blocks.c.device_id, evidence_blocks.c.end_us)

evidence_dead_letters = sa.Table(
    "evidence_dead_letters",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    # The organisation and device when the topic names a registered pair, else null (then
    # only the platform reads it: a stranger's message lands in nobody's list).
    sa.Column("client_id", sa.String(64), nullable=True, index=True),
    sa.Column("device_id", sa.String(64), nullable=True),
    sa.Column("topic", sa.String(256), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),  # the first 64 KiB
    sa.Column("size", sa.Integer, nullable=False),  # the message's bytes
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("reason_en", sa.Text, nullable=False),
    sa.Column("reason_zh", sa.Text, nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
)

# Watched streams: each device's monitor (a projection of ``evidence.monitor-fitted``) and
# its alarm episodes (of ``evidence.alarm-raised`` / ``-cleared``).
evidence_monitors = sa.Table(
    "evidence_monitors",
    metadata,
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("client_id", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("params", sa.Text, nullable=False),  # JSON, as used
    sa.Column("variables", sa.Text, nullable=False),  # JSON list, column order
    sa.Column("start", sa.String(40), nullable=False),  # the normal period, UTC
    sa.Column("end", sa.String(40), nullable=False),
    sa.Column("readings", sa.Integer, nullable=False),
    sa.Column("limits", sa.Text, nullable=False),  # JSON
    sa.Column("charts", sa.Text, nullable=False),  # JSON
    sa.Column("persistence", sa.Integer, nullable=False),
    sa.Column("graph", sa.String(64), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("last_raised", sa.BigInteger, nullable=False),  # seq, -1: none
    sa.Column("last_cleared", sa.BigInteger, nullable=False),
    sa.Column("open_seq", sa.BigInteger, nullable=True),  # the open alarm's reading
)

evidence_alarms = sa.Table(
    "evidence_alarms",
    metadata,
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("client_id", sa.String(64), nullable=False, index=True),
    sa.Column("time", sa.String(40), nullable=False),
    sa.Column("statistic", sa.String(32), nullable=False),
    sa.Column("top_variables", sa.Text, nullable=False),  # JSON list of names, largest first
    sa.Column("cleared", sa.BigInteger, nullable=True),  # seq; -1: its monitor was replaced
)

# Notices of what is due (projections of ``notice.sent``, ``notice.read`` and ``notice.mailed``),
# and where each account wants them by e-mail (of ``notice.address-set``).
notices = sa.Table(
    "notices",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("recipient", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("audience", sa.String(8), nullable=False),  # body or client: which pages it links
    sa.Column("certification_id", sa.String(64), nullable=False),
    sa.Column("item", sa.String(64), nullable=False),  # finding, programme item or case; or ""
    sa.Column("due", sa.String(10), nullable=False),  # YYYY-MM-DD, or "" when nothing is dated
    sa.Column("body_id", sa.String(64), nullable=False),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),  # when it was sent, UTC
    sa.Column("read_at", sa.String(40), nullable=True),
    sa.Column("mailed_to", sa.String(254), nullable=True),
    sa.Index("ix_notices_recipient_at", "recipient", "at"),
)

notice_addresses = sa.Table(
    "notice_addresses",
    metadata,
    sa.Column("account_id", sa.String(64), primary_key=True),
    sa.Column("email", sa.String(254), nullable=False),
)

# How far a body's reporting got with each hub: the newest ledger index sent. Bookkeeping, not
# a projection: the hub's own records say what it holds, and resending is harmless.
exchange_cursors = sa.Table(
    "exchange_cursors",
    metadata,
    sa.Column("hub", sa.String(200), primary_key=True),
    sa.Column("body_id", sa.String(64), primary_key=True),
    sa.Column("up_to", sa.BigInteger, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
)

PROJECTIONS = (
    bodies,
    auditors,
    clients,
    certifications,
    audits,
    findings,
    certificates,
    cases,
    accounts,
    api_keys,
    consents,
    invitations,
    programme,
    body_keys,
    credentials,
    status_lists,
    documents,
    line_alarms,
    hub_bodies,
    hub_records,
    hub_draws,
    hub_warnings,
    hub_registry,
    hub_scans,
    evidence_devices,
    evidence_windows,
    evidence_monitors,
    evidence_alarms,
    notices,
    notice_addresses,
)
