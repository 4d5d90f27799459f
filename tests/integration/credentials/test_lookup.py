"""Public lookup over the projections: the body's accreditation, named sites, scanned QR hashes."""

from datetime import UTC, datetime

from qcert.credentials import lookup
from tests.e2e.web.conftest import certified  # noqa: F401
from tests.integration.lifecycle.conftest import bus, world  # noqa: F401


def test_the_answer_names_the_accreditation_and_the_sites(certified):  # noqa: F811
    with certified.engine.connect() as conn:
        answer = lookup.certificate(conn, "N-V", datetime.now(UTC).date())
    assert answer["body"]["accreditation"] == "CNAS C001-M"
    assert [(s["site"], s["name"]) for s in answer["sites"]] == [("hq", "总部"), ("plant", "工厂")]
    assert answer["sites"][1]["address"] == "天津市滨海新区示例路2号"


def test_a_scanned_hash_must_be_one_the_platform_issued_for_that_number(certified):  # noqa: F811
    today = datetime.now(UTC).date()
    with certified.engine.connect() as conn:
        own = lookup.scanned(conn, "N-V", certified.sha256["N-V"], today)
        borrowed = lookup.scanned(conn, "N-V", certified.sha256["N-S"], today)
        unknown = lookup.scanned(conn, "NOPE", certified.sha256["N-V"], today)
    assert own["verdict"]["code"] == "valid" and own["credential"]["ledger_index"] is not None
    assert borrowed["verdict"]["code"] == "tampered" and borrowed["status"] == "active"
    assert unknown["verdict"]["code"] == "unknown" and "credential" not in unknown
