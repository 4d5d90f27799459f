"""The read views behind the organisation and auditor pages, on SQLite and PostgreSQL: scoped
to one body, text found literally (``%`` and ``_`` included), names sorted both ways, and an
auditor's competence and audits read from what the ledger recorded."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from qcert.access import ReadScope
from qcert.lifecycle import PlanAudit, QualifyAuditor, RegisterAuditor, ReviewContract
from qcert.store import auditors, organisations
from qcert.store.scoping import visible
from tests.e2e.web.staffed_world import staff

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _scope(body: str):
    narrowed = ReadScope(bodies=frozenset({body}))
    return lambda table: visible(narrowed, table)


def test_the_views_read_one_bodys_organisations_and_auditors(engine, tmp_path):
    world = staff(engine, tmp_path)
    world.run(RegisterAuditor("a_1", "REG-%_1", "百分号", "cb1"))
    world.run(QualifyAuditor("a_1", "iso9001", [17]))
    world.apply("c1-next", "cb1", "c1")
    world.certify("c1-qms", "cb1", "c1", "N-1", date(TODAY.year - 1, 6, 1))
    world.run(ReviewContract("c1-next", "rev"))
    soon = TODAY + timedelta(days=5)
    team = [{"auditor": "lead", "role": "lead"}, {"auditor": "a_1", "role": "auditor"}]
    world.run(PlanAudit("c1-next", "s1", "stage1", team, "FS01", soon, soon, 1.0, ["hq"]))
    world.apply("c2-cb2", "cb2", "c2")
    cb1, cb2 = _scope("cb1"), _scope("cb2")
    with engine.connect() as conn:
        rows, total = organisations.client_page(conn, cb1, "cb1", organisations.ClientQuery())
        assert [r["id"] for r in rows] == ["c1"] and total == 1
        assert rows[0]["certifications"] == 2 and rows[0]["active"] == 1
        assert rows[0]["adcode"] == "110108"
        for text, found in (("精密", ["c1"]), ("EXAMPLE", ["c1"]), ("%", []), ("_", [])):
            query = organisations.ClientQuery(text=text)
            assert [r["id"] for r in organisations.client_page(conn, cb1, "cb1", query)[0]] == found
        # c1 has nothing at cb2; c2 has nothing at cb1.
        assert organisations.organisation(conn, cb1, "cb1", "c2") is None
        assert organisations.organisation(conn, cb2, "cb2", "c1") is None
        c1 = organisations.organisation(conn, cb1, "cb1", "c1")
        assert [c["id"] for c in c1["certifications"]] == ["c1-next", "c1-qms"]
        assert c1["consent"]["given_by"]  # c1 consented to cb1 (tests/e2e/web/staffed_world.py)
        assert {(a["certification_id"], a["audit_id"]) for a in c1["audits"]} == {
            ("c1-next", "s1"),
            ("c1-qms", "s1"),
            ("c1-qms", "s2"),
        }
        # The auditor whose id holds "_" and whose number holds "%" is found by them, literally.
        for text in ("_", "%", "百分"):
            query = auditors.AuditorQuery(text=text)
            assert [r["id"] for r in auditors.auditor_page(conn, cb1, "cb1", query)[0]] == ["a_1"]
        assert auditors.auditor(conn, cb1, "cb1", "far", TODAY.isoformat()) is None
        a1 = auditors.auditor(conn, cb1, "cb1", "a_1", TODAY.isoformat())
        assert a1["registration_no"] == "REG-%_1" and a1["employer"] == "cb1"
        assert list(a1["matrix"]) == ["urn:qcert:scheme:iso9001:2015"]
        assert list(a1["matrix"]["urn:qcert:scheme:iso9001:2015"]) == [17]
        assert [(a["audit_id"], a["role"]) for a in a1["upcoming"]] == [("s1", "auditor")]
        assert a1["history"] == []
        lead = auditors.auditor(conn, cb1, "cb1", "lead", TODAY.isoformat())
        assert {a["certification_id"] for a in lead["history"]} == {"c1-qms"}
