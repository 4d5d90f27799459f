"""A data source's rules: what it reports is well formed, its key is an Ed25519 key, a retired
one changes no more, and its windows are anchored in order, each once."""

from __future__ import annotations

import pytest

from qcert.evidence import events as ev
from qcert.evidence.model import Device
from qcert.schemes import RuleViolation

KEY = "A" * 43 + "="


def _device(**kw):
    args = {
        "device_id": "d1",
        "client_id": "c1",
        "kind": "sensor",
        "label": "",
        "variables": [{"name": "t", "unit": "degC", "lower": 0, "upper": 9}],
        "public_key": "",
        "signed": False,
    }
    return Device.register(**{**args, **kw})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "robot"}, "kind"),
        (
            {"variables": [{"name": "t", "unit": "C"}, {"name": "t", "unit": "C"}]},
            "variables.1.name",
        ),
        ({"variables": [{"name": "t", "unit": ""}]}, "variables.0.unit"),
        ({"variables": [{"name": "t t", "unit": "C"}]}, "variables.0.name"),
        ({"variables": [{"name": "t", "unit": "C", "lower": 5, "upper": 5}]}, "variables.0.lower"),
        ({"variables": [{"name": "t", "unit": "C", "upper": float("inf")}]}, "variables.0.upper"),
        ({"variables": [{"name": "t", "unit": "C", "colour": 1}]}, "variables.0"),
        ({"signed": True}, "signed"),
        ({"public_key": "AAAA"}, "public_key"),
    ],
)
def test_a_malformed_source_is_refused_naming_the_field(change, field):
    with pytest.raises(RuleViolation) as err:
        _device(**change)
    assert err.value.rule == "evidence.device" and err.value.en.startswith(field + ":")
    assert err.value.zh


def test_a_retired_source_changes_no_more():
    device = _device(public_key=KEY, signed=True)
    device.retire("replaced")
    with pytest.raises(RuleViolation):
        device.rotate_key("", False)
    assert [type(e) for e in device.pending] == [ev.DeviceRegistered, ev.DeviceRetired]


def test_windows_are_anchored_in_order_each_once():
    device = _device()
    device.anchor("2026-06-01T08:00:00.000000Z", "2026-06-01T08:01:00.000000Z", 0, 4, 5, "ab")
    with pytest.raises(RuleViolation):
        device.anchor("2026-06-01T08:00:30.000000Z", "2026-06-01T08:01:30.000000Z", 5, 5, 1, "cd")
    replayed = Device.replay("d1", device.pending)
    assert replayed.anchored_until == device.anchored_until and replayed.windows == 1
