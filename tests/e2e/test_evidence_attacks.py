"""Real-time evidence over HTTP, used as a careless gateway or an attacker would: inputs at
the edges of what JSON and dates allow are refused with a 4xx naming the field, never a 500."""

from __future__ import annotations

import pytest

from tests.e2e.test_evidence import _item
from tests.e2e.test_evidence import world as _world

world = _world  # the organisation c1 with its device "oven" and a gateway's API key

URL = "/evidence/v1/devices/oven/readings"


@pytest.mark.parametrize(
    "query",
    [
        {"start": "9999-12-31T23:59:59-14:00"},
        {"end": "0001-01-01T00:00:00+14:00"},
        {"start": "0001-01-01T00:00:00+14:00", "end": "9999-12-31T23:59:59-14:00"},
    ],
    ids=["start-after-9999-in-utc", "end-before-year-1-in-utc", "both"],
)
def test_a_range_at_the_ends_of_the_calendar_is_read_not_a_server_error(world, query):
    client, as_, key = world
    client.post("/evidence/v1/readings", json=[_item(0)], headers=key)
    answer = client.get(URL, params=query, headers=as_("cadmin"))
    assert answer.status_code == 200, answer.text
    everything = "start" in query and "end" in query
    assert [r["seq"] for r in answer.json()["readings"]] == ([0] if everything else [])


@pytest.mark.parametrize(
    "body",
    [
        b'[{"device":"oven","units":{"temp":"degC"},"seq":1,"time":"2025-06-01T02:00:01Z",'
        b'"values":{"temp":NaN}}]',
        b'[{"device":"oven","units":{"temp":"degC"},"seq":1,"time":"2025-06-01T02:00:01Z",'
        b'"values":{"temp":1e999}}]',
        b'[{"device":"oven","values":{"temp":-Infinity}}]',
        b"[" * 100_000,
    ],
    ids=["NaN", "overflowing-number", "Infinity", "deeply-nested"],
)
def test_a_body_that_is_no_json_by_rfc_8259_is_refused_whole(world, body):
    client, _, key = world
    answer = client.post("/evidence/v1/readings", content=body, headers=key)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert "body" in error["message"] and "请求体" in error["message_zh"]


@pytest.mark.parametrize(
    "time", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"], ids=["9999", "0001"]
)
def test_a_reading_dated_past_the_calendar_in_utc_is_refused_and_the_batch_kept(world, time):
    client, _, key = world
    odd = {**_item(5), "time": time}
    answer = client.post("/evidence/v1/readings", json=[_item(0), odd, _item(1)], headers=key)
    assert answer.status_code == 200, answer.text
    verdicts = answer.json()["verdicts"]
    assert [v["status"] for v in verdicts] == ["stored", "refused", "stored"]
    assert verdicts[1]["code"] == "evidence.time"
    assert verdicts[1]["reason_en"].startswith("time:") and "时间" in verdicts[1]["reason_zh"]


def test_the_platforms_operator_cannot_put_readings_in_an_organisations_name(world):
    # an organisation's process data is what its own devices and users send (国市监认证发
    # 〔2025〕72号 (三)); the operator of the platform is none of them
    client, as_, key = world
    refused = client.post("/evidence/v1/readings", json=[_item(0)], headers=as_("root"))
    assert refused.status_code == 403 and refused.json()["error"]["rule"] == "access.evidence"
    assert "oven" in refused.json()["error"]["message"]
    mine = client.get(URL, headers=as_("cadmin")).json()["readings"]
    assert mine == []
    assert client.post("/evidence/v1/readings", json=[_item(0)], headers=key).status_code == 200
