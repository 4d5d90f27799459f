"""Fields added to an event type later are absent when empty: events recorded before them
decode and re-encode to the very bytes on the ledger, and new ones carry them."""

import pytest

from qcert.lifecycle import events as ev

OLD = [
    {
        "type": "certification.applied",
        "aggregate": "certification:c",
        "seq": 1,
        "at": "2024-01-02T03:04:05Z",
        "tz": "Asia/Shanghai",
        "actor": "a",
        "tenant": "cb1",
        "data": {
            "certification_id": "c",
            "body_id": "cb1",
            "client_id": "o",
            "scheme_id": "urn:qcert:scheme:iso9001:2015",
            "sectors": [17],
            "sites": ["hq"],
            "personnel": 5,
            "complexity": None,
            "central_site": "hq",
        },
    },
    {
        "type": "certification.checked-in",
        "aggregate": "certification:c",
        "seq": 5,
        "at": "2024-01-02T03:04:05Z",
        "tz": "Asia/Shanghai",
        "actor": "a",
        "tenant": "cb1",
        "data": {"audit_id": "s1", "auditor": "lead", "lat": 39.9, "lon": 116.3},
    },
    {
        "type": "status-list.published",
        "aggregate": "status-list:cb1.suspension.1",
        "seq": 1,
        "at": "2024-01-02T03:04:05Z",
        "tz": "Asia/Shanghai",
        "actor": "a",
        "tenant": "cb1",
        "data": {
            "body_id": "cb1",
            "purpose": "suspension",
            "list_no": 1,
            "version": 1,
            "valid_from": "2024-01-02T03:04:05Z",
            "encoded_list": "H4sI",
            "ledger_index": 7,
            "sha256": "0" * 64,
        },
    },
]


@pytest.mark.parametrize("doc", OLD, ids=lambda d: d["type"])
def test_events_recorded_before_a_field_existed_keep_their_bytes(doc):
    assert ev.decode(doc).document() == doc


def test_new_events_carry_the_fields_they_have():
    checked = ev.AuditorCheckedIn("s1", "lead", 0.0, 0.0, "hq", 12_000.5, "far-from-site")
    assert checked.data()["anomaly"] == "far-from-site" and checked.data()["distance_km"]
    near = ev.AuditorCheckedIn("s1", "lead", 39.9, 116.3, "hq", 0.0)
    assert near.data()["distance_km"] == 0.0 and "anomaly" not in near.data()
