"""Projection columns holding JSON are written as RFC 8785 canonical JSON, as the ledger is.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

A value such as a site's latitude entered as 39.0 was written 39.0 by the live projection and
39 by a replay of the ledger (whose canonical JSON has no 39.0), so the audit reported a
difference that was none. Existing rows are rewritten in the canonical form.
"""

import json

import rfc8785
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# table, its JSON column, its primary key
COLUMNS = [
    ("lc_bodies", "scopes", ("id",)),
    ("lc_auditors", "qualifications", ("id",)),
    ("lc_clients", "sites", ("id",)),
    ("lc_accounts", "roles", ("id",)),
    ("lc_line_alarms", "top_variables", ("line_id", "reading")),
    ("lc_certifications", "sectors", ("id",)),
    ("lc_audits", "team", ("certification_id", "audit_id")),
    ("lc_certificates", "sites", ("number",)),
]


def upgrade() -> None:
    conn = op.get_bind()
    for name, column, key in COLUMNS:
        table = sa.table(name, *(sa.column(c) for c in (*key, column)))
        rows = conn.execute(sa.select(*(table.c[c] for c in (*key, column)))).all()
        for row in rows:
            text = row[-1]
            canonical = rfc8785.dumps(json.loads(text)).decode()
            if canonical != text:
                where = sa.and_(*(table.c[c] == row[i] for i, c in enumerate(key)))
                conn.execute(table.update().where(where).values({column: canonical}))


def downgrade() -> None:
    pass  # canonical JSON is JSON: the earlier code reads it as it is
