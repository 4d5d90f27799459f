"""Wired services over a test database, as ``qcert.bootstrap`` builds them for a server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from qcert.access import Principal
from qcert.bootstrap import Services, bootstrap
from qcert.config import Settings
from qcert.keys import create_keys
from tests.clock import ScenarioClock

SYSTEM = Principal.system("test")


def make_services(
    engine: sa.Engine,
    data_dir: Path,
    *,
    host: str | None = None,
    clock: Callable[[], datetime] | None = None,
    redis_url: str | None = None,
) -> Services:
    """Services over ``engine`` with keys in ``data_dir`` (made on first use)."""
    if not (data_dir / "keys" / "ed25519.skey").exists():
        create_keys(data_dir / "keys", "test.qcert/ledger")
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(data_dir, url, host, redis_url)
    services = bootstrap(settings, upgrade=False, clock=clock, engine=engine)
    if isinstance(clock, ScenarioClock):
        # The scenario's commands are recorded on the days they name, whoever sends them.
        handle = services.bus.handle

        def following(command: Any, principal: Principal) -> Any:
            clock.follow(command)
            return handle(command, principal)

        services.bus.handle = following  # type: ignore[method-assign]
    return services


def system_bus(services: Services) -> Callable[[Any], list[int]]:
    """Run commands as the platform itself (setting up a test's world), returning indices."""

    def run(command: Any) -> list[int]:
        return services.bus.handle(command, SYSTEM).indices

    return run
