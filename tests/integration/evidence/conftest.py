"""Brokers for the consumer's tests: the machine's Mosquitto (127.0.0.1:1883), and a private
one per test (killed and restarted at will). Missing, they fail under ``CI=true`` and are
skipped with the reason otherwise. And the intake's world: an installation with the test
organisation's devices (``tests/integration/evidence/world.py``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import _need_service
from tests.mqtt_broker import MOSQUITTO, SHARED_HOST, SHARED_PORT, PrivateBroker, reachable


@pytest.fixture
def mosquitto() -> int:
    """The port of the machine's Mosquitto."""
    if not reachable(SHARED_HOST, SHARED_PORT):
        _need_service(f"Mosquitto is not reachable at {SHARED_HOST}:{SHARED_PORT}")
    return SHARED_PORT


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[PrivateBroker]:
    """A started Mosquitto of this test's own, persisting in a temporary directory."""
    yield from started_broker(tmp_path)


def started_broker(tmp_path: Path) -> Iterator[PrivateBroker]:
    """What :func:`private_broker` yields, for fixtures elsewhere."""
    if not os.access(MOSQUITTO, os.X_OK):
        _need_service(f"no mosquitto binary at {MOSQUITTO} (apt-get install mosquitto)")
    broker = PrivateBroker(tmp_path / "broker")
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def tag() -> str:
    """A name no other test run uses (client ids, groups, organisations on a shared broker)."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def services(engine, tmp_path):
    """An installation with the world's devices, its clock five minutes after NOW."""
    from tests.integration.evidence.world import NOW, build
    from tests.services import make_services

    svc = make_services(engine, tmp_path, clock=lambda: NOW + timedelta(minutes=5))
    build(svc)
    yield svc
    svc.close()
