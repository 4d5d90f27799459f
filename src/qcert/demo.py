"""The demo store: a fresh embedded store with keys, filled with a generated certification world."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .access import Principal
from .bootstrap import bootstrap
from .config import Settings
from .credentials import multibase_public_key
from .demo_evidence import EvidenceSummary, build_evidence
from .demo_hub import HubSummary, build_hub
from .keys import create_keys
from .ledger import SHA256
from .ledger.canonical import canonical_json
from .lifecycle.commands import (
    AcceptTransfer,
    AddBodyKey,
    ApplyForCertification,
    RegisterBody,
    UploadDocument,
)
from .operator import ensure_operator
from .store.db import BulkBuild
from .store.queries import certification_client
from .worldgen import DEFAULT_SIZE, Clock, WorldSummary, generate

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


# Who uploads each organisation's manual: its demo account where it has one.
DEMO_UPLOADERS = {"demo-client-05": "demo-client", "demo-client-10": "demo-client10"}


MANUAL = "质量手册（申请材料） / Quality manual (application)"
TRANSFER = "认证转换资料（给接收机构） / Transfer papers (for the accepting body)"


def _transfer(cmd: AcceptTransfer) -> str:
    """A short, made-up set of transfer papers for the accepting body."""
    return (
        f"认证转换资料 / Transfer papers\n"
        f"原认证项目 / Certification transferred: {cmd.from_certification_id}\n"
        f"接收机构 / Accepting body: {cmd.body_id}\n"
        "最近一次审核报告、不符合项关闭证据、投诉记录 / last audit report, evidence of closed "
        "nonconformities, complaints\n"
        "(示例文件，由演示数据生成 / sample file generated for the demo)\n"
    )


def _manual(cmd: ApplyForCertification) -> str:
    """A short, made-up quality manual for an application (plain UTF-8 text)."""
    return (
        f"质量手册 / Quality manual\n"
        f"组织 / Organisation: {cmd.client_id}\n"
        f"认证项目 / Certification: {cmd.certification_id} ({cmd.scheme_id})\n"
        f"场所 / Sites: {', '.join(cmd.sites)}\n"
        "1 范围 / Scope\n2 质量方针 / Quality policy\n3 过程及其相互作用 / Processes\n"
        "4 文件化信息的控制 / Control of documented information\n"
        "(示例文件，由演示数据生成 / sample file generated for the demo)\n"
    )


@dataclass(frozen=True)
class DemoResult:
    entries: int
    checkpoint: str
    vkeys: list[str]
    stages: dict[str, str]
    world: WorldSummary | None = None
    seconds: float = 0.0
    hub: HubSummary | None = None
    evidence: EvidenceSummary | None = None


def build_demo(
    settings: Settings,
    *,
    size: int = DEFAULT_SIZE,
    seed: int = 7,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    host: str = DEMO_HOST,
) -> DemoResult:
    """Wipe and rebuild the demo store in ``settings.data_dir`` with the world of ``size``
    generated clients and ``seed`` as it stands at the end of ``today`` (default: yesterday in
    Beijing), its credentials naming ``host`` (where it will be served); return what to show."""
    started = time.monotonic()
    if settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    create_keys(settings.keys_dir, DEMO_ORIGIN)
    clock = Clock()
    services = bootstrap(dataclasses.replace(settings, public_host=host), clock=clock)
    ledger, keys = services.ledger, services.keys
    ledger.append([canonical_json({"seq": i, **e}) for i, e in enumerate(_EVENTS)])
    # The demo world is put together by the platform itself (``system:demo``), each command
    # through the bus and the lifecycle's rules on its business day.
    demo = Principal.system("demo")

    def bus(cmd: object) -> list[int]:
        return services.bus.handle(cmd, demo).indices

    def with_key(cmd: object) -> list[int]:
        # Each body gets its signing key right after it is registered, so every grant
        # from then on is issued as a credential too.
        done = bus(cmd)
        if isinstance(cmd, RegisterBody):
            key_id, key = keys.create(cmd.body_id)
            public = multibase_public_key(key.public_key())
            bus(AddBodyKey(cmd.body_id, key_id, public, datetime(2015, 1, 1, tzinfo=UTC)))
        elif isinstance(cmd, ApplyForCertification):
            # Every application comes with the organisation's quality manual, given for that
            # certification, so the portal and the body's page show documents on the ledger.
            give(cmd.client_id, cmd.certification_id, _manual(cmd), "quality-manual", MANUAL)
        elif isinstance(cmd, AcceptTransfer):
            # The organisation gives the accepting body its own papers (IAF MD 2:2017 2.3):
            # one organisation, documents at two bodies, each reading only its own.
            with services.engine.connect() as conn:
                client = certification_client(conn, cmd.from_certification_id)
            give(client, cmd.certification_id, _transfer(cmd), "transfer-papers", TRANSFER)
        return done

    def give(client: str, certification: str, text: str, name: str, purpose: str) -> None:
        data = text.encode()
        bus(
            UploadDocument(
                client,
                hashlib.sha256(data).hexdigest(),
                f"{name}-{certification}.txt",
                "text/plain",
                len(data),
                purpose,
                DEMO_UPLOADERS.get(client, "demo"),
                certification,
                content=data,
            )
        )

    # By default the world stands as of yesterday (Beijing time), so no generated instant lies
    # ahead of the clock of the server that takes over: status lists never go back in time.
    yesterday = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)
    bulk = BulkBuild(services.engine, services.documents)
    try:
        world = generate(
            with_key,
            size=size,
            seed=seed,
            today=today or yesterday,
            clock_setter=clock.set,
            progress=progress,
        )
        clock.set(datetime.now(UTC))
        hub = build_hub(services, today or yesterday)
        # Lines streaming readings, a monitor each, and the planted coolant fault's alarm.
        evidence = build_evidence(services, clock())
        ensure_operator(services)
    finally:
        bulk.close()
    ledger.sign_due()
    result = DemoResult(
        ledger.size(),
        ledger.signed(SHA256),
        [v.vkey() for v in ledger.verifiers()],
        world.stages,
        world,
        time.monotonic() - started,
        hub,
        evidence,
    )
    services.close()
    return result
