"""The next certificate number is offered from the numbers the body has given."""

from __future__ import annotations

from datetime import date

from qcert.store.numbers import numbers_with_prefix
from qcert.web.planning import offered_number
from tests.integration.lifecycle.conftest import bus, certify, register_client, world  # noqa: F401

ISO9001 = "urn:qcert:scheme:iso9001:2015"
BODY = {"id": "cb1", "approval_no": "CNCA-R-2002-001"}


def test_the_offer_follows_the_bodys_highest_serial_of_the_year(world, engine):  # noqa: F811
    certify(world, "cert1", on=date(2023, 3, 1), number="00123Q30007R0M")
    register_client(world, "c2", "numbers")
    certify(world, "cert2", on=date(2023, 4, 2), number="00123Q3%_x", client="c2")
    record = {"certificate": None, "scheme_id": ISO9001, "application": {"personnel": 55}}
    with engine.connect() as conn:
        assert offered_number(conn, BODY, record, date(2023, 6, 1)) == "00123Q30008R0M"
        assert offered_number(conn, BODY, record, date(2024, 1, 2)) == "00124Q30001R0M"
        # A prefix is matched literally: % and _ are no wildcards.
        assert numbers_with_prefix(conn, "cb1", "00123Q3%") == ["00123Q3%_x"]
        assert numbers_with_prefix(conn, "cb1", "00123_3") == []
        assert numbers_with_prefix(conn, "cb2", "00123Q3") == []
        renewal = {**record, "certificate": {"number": "00123Q30007R0M"}}
        assert offered_number(conn, BODY, renewal, date(2026, 3, 1)) is None
