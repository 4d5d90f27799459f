"""The consumer's settings: a broker URL, a group and a client id, refused with the reason."""

import pytest

from qcert.config import SettingInvalid, Settings, score_mode
from qcert.evidence.mqtt import Broker, BrokerUrlInvalid, parse_broker_url, subscription


@pytest.mark.parametrize(
    ("url", "broker"),
    [
        ("mqtt://127.0.0.1:1883", Broker("127.0.0.1", 1883)),
        ("mqtt://broker.example", Broker("broker.example", 1883)),
        ("mqtts://broker.example", Broker("broker.example", 8883, tls=True)),
        ("mqtt://u%40x:p%2Fw@h:1884", Broker("h", 1884, False, "u@x", "p/w")),
    ],
)
def test_a_broker_url_names_host_port_tls_and_sign_in(url, broker):
    assert parse_broker_url(url) == broker


@pytest.mark.parametrize(
    "url", ["http://h:1883", "mqtt://", "mqtt://h:0", "mqtt://h:70000", "mqtt://h/topic", "h"]
)
def test_a_broker_url_that_cannot_be_used_is_refused_in_both_languages(url):
    with pytest.raises(BrokerUrlInvalid) as refused:
        parse_broker_url(url)
    assert refused.value.en and refused.value.zh


def test_the_settings_default_to_the_local_broker_and_a_fixed_client_id(monkeypatch, tmp_path):
    for name in ("QCERT_MQTT_URL", "QCERT_MQTT_GROUP", "QCERT_MQTT_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    one, two = Settings.from_env(tmp_path), Settings.from_env(tmp_path)
    assert one.mqtt_url == "mqtt://127.0.0.1:1883" and one.mqtt_group == "qcert"
    assert one.mqtt_client_id == two.mqtt_client_id  # the session outlives a restart
    assert one.mqtt_client_id.startswith("qcert-evidence-")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("QCERT_MQTT_URL", "tcp://h:1883"),
        ("QCERT_MQTT_GROUP", "a/b"),
        ("QCERT_MQTT_GROUP", "#"),
        ("QCERT_MQTT_CLIENT_ID", "x" * 65),
        ("QCERT_MQTT_CLIENT_ID", "$SYS"),
    ],
)
def test_a_setting_that_cannot_be_used_names_itself(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingInvalid) as refused:
        Settings.from_env(tmp_path)
    assert str(refused.value).startswith(name)
    assert refused.value.zh.startswith(name)


def test_an_empty_group_is_a_plain_subscription_and_a_group_a_shared_one():
    assert subscription("") == "qcert/v1/+/+/+"
    assert subscription("line-7") == "$share/line-7/qcert/v1/+/+/+"


def test_the_scoring_setting_is_unset_by_default_and_refuses_other_words(monkeypatch, tmp_path):
    monkeypatch.delenv("QCERT_EVIDENCE_SCORE", raising=False)
    assert Settings.from_env(tmp_path).evidence_score == ""
    monkeypatch.setenv("QCERT_EVIDENCE_SCORE", " settled ")
    assert Settings.from_env(tmp_path).evidence_score == "settled"
    monkeypatch.setenv("QCERT_EVIDENCE_SCORE", "eager")
    with pytest.raises(SettingInvalid) as refused:
        Settings.from_env(tmp_path)
    assert str(refused.value).startswith("QCERT_EVIDENCE_SCORE")
    assert refused.value.zh.startswith("QCERT_EVIDENCE_SCORE")


@pytest.mark.parametrize(
    ("score", "group", "mode"),
    [
        ("", "", "arrival"),  # one consumer, or the server: readings as they arrive
        ("", "qcert", "settled"),  # a group splits a device's readings between processes
        ("arrival", "qcert", "arrival"),  # told otherwise
        ("settled", "", "settled"),
    ],
)
def test_a_consumer_group_scores_settled_readings_unless_told_otherwise(score, group, mode):
    assert score_mode(score, group) == mode
