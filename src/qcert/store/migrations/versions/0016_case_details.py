"""Complaints and appeals keep what they are about and how they ended.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

``lc_cases`` gains the summary the case was opened with, its outcome and the day it was
resolved, refilled from each case's events so the projection stays equal to the ledger.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lc_cases") as batch:
        batch.add_column(sa.Column("summary", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("outcome", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("resolved_on", sa.String(length=10), nullable=True))
    conn = op.get_bind()
    events = sa.table(
        "lc_events",
        sa.column("aggregate", sa.String),
        sa.column("seq", sa.Integer),
        sa.column("type", sa.String),
        sa.column("document", sa.Text),
    )
    cases = sa.table(
        "lc_cases",
        sa.column("id", sa.String),
        sa.column("summary", sa.Text),
        sa.column("outcome", sa.Text),
        sa.column("resolved_on", sa.String),
    )
    rows = conn.execute(
        sa.select(events.c.aggregate, events.c.type, events.c.document)
        .where(events.c.aggregate.like("case:%"))
        .order_by(events.c.aggregate, events.c.seq)
    ).all()
    for aggregate, kind, document in rows:
        data = json.loads(document)["data"]
        case_id = aggregate.split(":", 1)[1]
        if kind == "case.opened":
            values = {"summary": data["summary"]}
        elif kind == "case.resolved":
            values = {"outcome": data["outcome"], "resolved_on": data["on"]}
        else:
            continue
        conn.execute(cases.update().where(cases.c.id == case_id).values(**values))
    with op.batch_alter_table("lc_cases") as batch:
        batch.alter_column("summary", server_default=None, existing_type=sa.Text())
        batch.alter_column("outcome", server_default=None, existing_type=sa.Text())


def downgrade() -> None:
    with op.batch_alter_table("lc_cases") as batch:
        batch.drop_column("resolved_on")
        batch.drop_column("outcome")
        batch.drop_column("summary")
