"""The lifecycle: the event index and the projections read by the API and the UI.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lc_auditors",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("qualifications", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_lc_auditors_body_id"), "lc_auditors", ["body_id"], unique=False)
    op.create_table(
        "lc_audits",
        sa.Column("certification_id", sa.String(length=64), nullable=False),
        sa.Column("audit_id", sa.String(length=64), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("start", sa.String(length=10), nullable=False),
        sa.Column("end", sa.String(length=10), nullable=False),
        sa.Column("planned_days", sa.Float(), nullable=False),
        sa.Column("actual_days", sa.Float(), nullable=True),
        sa.Column("last_day", sa.String(length=10), nullable=True),
        sa.Column("team", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("certification_id", "audit_id"),
    )
    op.create_index(op.f("ix_lc_audits_body_id"), "lc_audits", ["body_id"], unique=False)
    op.create_table(
        "lc_bodies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("approval_no", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=500), nullable=False),
        sa.Column("name_en", sa.String(length=500), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "lc_cases",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("certification_id", sa.String(length=64), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("handler", sa.String(length=64), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_lc_cases_body_id"), "lc_cases", ["body_id"], unique=False)
    op.create_table(
        "lc_certificate_history",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("certification_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("on", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index"),
    )
    op.create_index(
        op.f("ix_lc_certificate_history_certification_id"),
        "lc_certificate_history",
        ["certification_id"],
        unique=False,
    )
    op.create_table(
        "lc_certificates",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("certification_id", sa.String(length=64), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scheme_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("certsearch_status", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("sites", sa.Text(), nullable=False),
        sa.Column("issue_date", sa.String(length=10), nullable=False),
        sa.Column("original_issue_date", sa.String(length=10), nullable=False),
        sa.Column("expiry_date", sa.String(length=10), nullable=False),
        sa.Column("deadline", sa.String(length=10), nullable=True),
        sa.Column("transferred_to", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("certification_id"),
    )
    op.create_index(
        op.f("ix_lc_certificates_body_id"), "lc_certificates", ["body_id"], unique=False
    )
    op.create_index(
        op.f("ix_lc_certificates_client_id"), "lc_certificates", ["client_id"], unique=False
    )
    op.create_table(
        "lc_certifications",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scheme_id", sa.String(length=120), nullable=False),
        sa.Column("sectors", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("initial_days", sa.Float(), nullable=True),
        sa.Column("decided_on", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_lc_certifications_body_id"), "lc_certifications", ["body_id"], unique=False
    )
    op.create_index(
        op.f("ix_lc_certifications_client_id"), "lc_certifications", ["client_id"], unique=False
    )
    op.create_table(
        "lc_clients",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("personnel", sa.Integer(), nullable=False),
        sa.Column("sites", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uscc"),
    )
    op.create_table(
        "lc_events",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("aggregate", sa.String(length=120), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index"),
        sa.UniqueConstraint("aggregate", "seq", name="uq_lc_events_aggregate_seq"),
    )
    op.create_index("ix_lc_events_tenant", "lc_events", ["tenant"], unique=False)
    op.create_table(
        "lc_findings",
        sa.Column("certification_id", sa.String(length=64), nullable=False),
        sa.Column("finding_id", sa.String(length=64), nullable=False),
        sa.Column("body_id", sa.String(length=64), nullable=False),
        sa.Column("audit_id", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("clause", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("certification_id", "finding_id"),
    )
    op.create_index(op.f("ix_lc_findings_body_id"), "lc_findings", ["body_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_lc_findings_body_id"), table_name="lc_findings")
    op.drop_table("lc_findings")
    op.drop_index("ix_lc_events_tenant", table_name="lc_events")
    op.drop_table("lc_events")
    op.drop_table("lc_clients")
    op.drop_index(op.f("ix_lc_certifications_client_id"), table_name="lc_certifications")
    op.drop_index(op.f("ix_lc_certifications_body_id"), table_name="lc_certifications")
    op.drop_table("lc_certifications")
    op.drop_index(op.f("ix_lc_certificates_client_id"), table_name="lc_certificates")
    op.drop_index(op.f("ix_lc_certificates_body_id"), table_name="lc_certificates")
    op.drop_table("lc_certificates")
    op.drop_index(
        op.f("ix_lc_certificate_history_certification_id"), table_name="lc_certificate_history"
    )
    op.drop_table("lc_certificate_history")
    op.drop_index(op.f("ix_lc_cases_body_id"), table_name="lc_cases")
    op.drop_table("lc_cases")
    op.drop_table("lc_bodies")
    op.drop_index(op.f("ix_lc_audits_body_id"), table_name="lc_audits")
    op.drop_table("lc_audits")
    op.drop_index(op.f("ix_lc_auditors_body_id"), table_name="lc_auditors")
    op.drop_table("lc_auditors")
