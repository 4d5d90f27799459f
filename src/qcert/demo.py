"""The demo world: a fresh embedded store with keys and sample certification events."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime

import rfc8785

from .bootstrap import open_ledger
from .bus import handle
from .config import Settings
from .credentials import multibase_public_key
from .credentials.keystore import KeyStore
from .demo_world import build_world
from .keys import create_keys
from .ledger import SHA256
from .lifecycle.commands import AddBodyKey, RegisterBody
from .store.uow import UnitOfWork

__all__ = ["DemoResult", "build_demo"]

DEMO_ORIGIN = "demo.qcert.localhost/ledger"
DEMO_HOST = "127.0.0.1:8000"

_EVENTS = [
    {
        "type": "body.registered",
        "body": "CNCA-R-2002-001",
        "name": {"zh-CN": "示例认证中心", "en": "Example Certification Centre"},
    },
    {
        "type": "client.registered",
        "uscc": "91110000100000000A",
        "name": {
            "zh-CN": "示例精密制造有限公司",
            "en": "Example Precision Manufacturing Co., Ltd.",
        },
        "adcode": "110105",
    },
    {
        "type": "application.submitted",
        "client": "91110000100000000A",
        "scheme": "urn:qcert:scheme:iso9001:2015",
        "personnel": 55,
    },
    {"type": "audit.completed", "stage": "stage2", "method": "FS01", "days": 5.0},
    {"type": "certificate.issued", "number": "00126Q30001R0M", "expires": "2029-11-24"},
]


@dataclass(frozen=True)
class DemoResult:
    entries: int
    checkpoint: str
    vkeys: list[str]
    stages: dict[str, str]


def build_demo(settings: Settings) -> DemoResult:
    """Wipe and rebuild the demo store in ``settings.data_dir``; return what to show."""
    if settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    create_keys(settings.keys_dir, DEMO_ORIGIN)
    ledger = open_ledger(settings)
    ledger.append([rfc8785.dumps({"seq": i, **e}) for i, e in enumerate(_EVENTS)])
    engine = ledger.storage.engine  # type: ignore[attr-defined]
    keys = KeyStore(settings.keys_dir / "bodies")

    def bus(cmd: object) -> list[int]:
        return handle(cmd, UnitOfWork(engine, actor="demo", keys=keys, host=DEMO_HOST))

    def with_key(cmd: object) -> list[int]:
        # The body gets its signing key right after it is registered, so every grant
        # from then on is issued as a credential too.
        done = bus(cmd)
        if isinstance(cmd, RegisterBody) and cmd.body_id == "demo-cb":
            key_id, key = keys.create("demo-cb")
            public = multibase_public_key(key.public_key())
            bus(AddBodyKey("demo-cb", key_id, public, datetime(2015, 1, 1, tzinfo=UTC)))
        return done

    stages = build_world(with_key, date.today())
    for suite in ledger.suites:
        ledger.checkpoint(suite)
    return DemoResult(
        ledger.size(), ledger.checkpoint(SHA256), [v.vkey() for v in ledger.verifiers()], stages
    )
