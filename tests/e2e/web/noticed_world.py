"""A world where something of every kind is due, for the notices' tests: two certifications
of c1 at cb1 granted 400 days ago, one with its first surveillance overdue, suspended with a
deadline 20 days ahead and under complaint, the other with a finding past its answer deadline
and one the client answered; and a user of c2, who must be told nothing of c1."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from qcert.lifecycle import (
    AnswerFinding,
    CompleteAudit,
    OpenAccount,
    OpenCase,
    PlanAudit,
    RaiseFinding,
    SuspendCertificate,
)
from tests.e2e.web.staffed_world import PASSWORD, Staffed, staff

__all__ = ["TODAY", "noticed"]

TODAY = date.today()
TEAM = [{"auditor": "lead", "role": "lead"}]


def noticed(engine: sa.Engine, root: Path) -> Staffed:
    """The staffed world (tests/e2e/web/staffed_world.py) with one notice due of each kind."""
    world = staff(engine, root)
    run = world.run
    granted = TODAY - timedelta(days=400)
    world.apply("c1-a", "cb1", "c1")
    world.apply("c1-b", "cb1", "c1")
    world.certify("c1-a", "cb1", "c1", "N-A", granted, applied=True)
    world.certify("c1-b", "cb1", "c1", "N-B", granted, applied=True)
    # c1-b's first surveillance, 100 days ago, left two minor findings: one never answered
    # (its 90 days ran out 10 days ago), one the client answered.
    held = TODAY - timedelta(days=100)
    run(PlanAudit("c1-b", "sv1", "surveillance", TEAM, "FS01", held, held, 1.0, ["hq", "plant"]))
    run(RaiseFinding("c1-b", "f1", "sv1", "minor", "8.5", "批次记录缺失", "lead"))
    run(RaiseFinding("c1-b", "f2", "sv1", "minor", "7.5", "校准记录过期", "lead"))
    run(CompleteAudit("c1-b", "sv1", 1.0, held))
    run(AnswerFinding("c1-b", "f2", "已补校准", "计划遗漏", "纳入年度计划"))
    # c1-a had no surveillance (due 35 days ago), was suspended 10 days ago for a month, and
    # a complaint about it is open.
    run(SuspendCertificate("c1-a", "未按期接受监督审核", TODAY - timedelta(days=10), 1))
    run(OpenCase("k1", "complaint", "c1-a", "admin1", "客户投诉证书范围 / scope complaint"))
    run(OpenAccount("client2", "client2", ["client-user@client:c2"], PASSWORD))
    return world
