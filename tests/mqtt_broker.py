"""MQTT for the tests: the machine's Mosquitto, a private one to kill and restart, a publisher
that counts the broker's PUBACKs, and the readings' payloads of the topic scheme."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
SHARED_HOST, SHARED_PORT = "127.0.0.1", int(os.environ.get("QCERT_TEST_MQTT_PORT", "1883"))


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateBroker:
    """A Mosquitto of the test's own, on a free port, persisting its sessions in ``directory``,
    so that it can be killed and restarted without touching anyone else's."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)
        self.config = directory / "mosquitto.conf"
        # max_queued_messages 0: no cap on what is queued for a consumer while it is away, so
        # that whatever the broker acknowledged to a publisher reaches a consumer.
        self.config.write_text(
            # As whoever runs the tests: Mosquitto started as root would otherwise become the
            # user ``mosquitto``, who cannot write the test's directory.
            f"user {getpass.getuser()}\n"
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {directory}/\n"
            "autosave_interval 1\n"
            "max_queued_messages 0\n"
            f"log_dest file {directory}/mosquitto.log\n"
        )

    def start(self) -> None:
        """Start it and wait until it accepts connections (at most 10 s)."""
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not reachable("127.0.0.1", self.port, 0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = (self.dir / "mosquitto.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"mosquitto did not start on {self.port}: {log}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGTERM: it saves its sessions and queues first)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)
        self.proc = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"


def payload(
    device: str, seqs: Iterable[int], *, start: float = 1_780_000_000.0, step: float = 1.0
) -> bytes:
    """A message of the topic scheme: ``device``'s readings numbered ``seqs`` (reading s taken
    at ``start + s * step``, UNIX seconds), two variables each."""
    readings = [
        {
            "seq": s,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + s * step)),
            "values": {"temp": 20.0 + (s % 7) * 0.1, "pressure": 101.3},
            "quality": {"temp": "good"},
        }
        for s in seqs
    ]
    units = {"temp": "Cel", "pressure": "kPa"}
    return json.dumps({"device": device, "units": units, "readings": readings}).encode()


class Publisher:
    """A QoS 1 publisher that remembers which messages the broker acknowledged (PUBACK with a
    success reason code: a subscription took it)."""

    def __init__(self, port: int, client_id: str = "qcert-test-publisher") -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        self.client.max_inflight_messages_set(100)
        self.client.max_queued_messages_set(1000)
        self._sent: dict[int, Any] = {}
        self._early: dict[int, Any] = {}
        self.acked: list[Any] = []
        self.refused: list[tuple[Any, int]] = []
        self._lock = threading.Lock()
        self.client.on_publish = self._on_publish
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_publish(self, _c: Any, _u: Any, mid: int, reason: Any, _p: Any) -> None:
        # Called on paho's thread with paho's locks held: never call paho while holding ours.
        with self._lock:
            if mid in self._sent:
                self._record(self._sent.pop(mid), reason)
            else:  # acknowledged before publish() returned its mid
                self._early[mid] = reason

    def _record(self, tag: Any, reason: Any) -> None:
        if reason.is_failure:
            self.refused.append((tag, reason.value))
        else:
            self.acked.append(tag)

    def publish(self, topic: str, data: bytes, tag: Any) -> None:
        """Publish ``data`` at QoS 1; ``tag`` is what :attr:`acked` records once PUBACKed."""
        info = self.client.publish(topic, data, qos=1)
        while info.rc == mqtt.MQTT_ERR_QUEUE_SIZE:  # paho's own queue is full: wait, not drop
            time.sleep(0.001)
            info = self.client.publish(topic, data, qos=1)
        with self._lock:
            if info.mid in self._early:
                self._record(tag, self._early.pop(info.mid))
            else:
                self._sent[info.mid] = tag

    def wait(self, timeout: float = 30) -> None:
        """Wait until every message published has its PUBACK (or ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._sent:
                    return
            time.sleep(0.02)
        raise AssertionError(f"{len(self._sent)} messages without PUBACK after {timeout} s")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def clear_session(port: int, client_id: str) -> None:
    """End whatever session ``client_id`` left on the broker (a clean start, expiry 0)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", port, clean_start=True)
    client.loop_start()
    time.sleep(0.1)
    client.disconnect()
    client.loop_stop()


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    """Poll ``predicate`` every 50 ms until it is true; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


__all__ = [
    "MOSQUITTO",
    "SHARED_HOST",
    "SHARED_PORT",
    "PrivateBroker",
    "Publisher",
    "clear_session",
    "free_port",
    "payload",
    "reachable",
    "wait_for",
]
