"""The twelve named demo certifications, one per stage, at the first body with its demo staff."""

from __future__ import annotations

import random
from datetime import date
from functools import partial

from ..demo_world import NAMED, STAGES, TEAM
from .clients import ClientPlan, register, uscc
from .names import Industry
from .places import cities
from .scenarios import tell
from .stories import Context, Fixed, Story

__all__ = ["CONFIDENTIAL_STAGE", "named_stories"]

CONFIDENTIAL_STAGE = "surveilled"

_INDUSTRY = Industry(
    "精密机械",
    "Precision Machinery",
    17,
    "精密机械零部件的设计和生产",
    "Design and production of precision parts",
    "medium",
    "medium",
    ("iso9001",),
)


def named_stories(
    ctx: Context, rng: random.Random, earliest: date
) -> tuple[dict[str, str], list[ClientPlan], list[Story]]:
    """Write ``demo-cert-01`` … ``demo-cert-12`` and their clients (registered from
    ``earliest``); return ``stage -> certification``, the clients and the stories."""
    by_code = {city.adcode: city for city in cities()}
    stages: dict[str, str] = {}
    clients: list[ClientPlan] = []
    stories: list[Story] = []
    for i, (stage, (name, name_en, adcode)) in enumerate(zip(STAGES, NAMED, strict=True)):
        city = by_code[adcode]
        site = {
            "id": "main",
            "name": "主厂区",
            "address": f"{city.name_zh}示例路{i + 1}号",
            "adcode": city.adcode,
            "lat": round(city.lat + rng.uniform(-0.05, 0.05), 6),
            "lon": round(city.lon + rng.uniform(-0.05, 0.05), 6),
            "central": True,
        }
        client = ClientPlan(
            f"demo-client-{i + 1:02d}",
            uscc(rng, city.adcode),
            f"{name}有限公司",
            f"{name_en} Co., Ltd.",
            city,
            _INDUSTRY,
            rng.choice([12, 38, 55, 140, 320]),
            [site],
            # The surveilled one asked for confidentiality: its public page shows only what
            # IAF CertSearch would.
            stage == CONFIDENTIAL_STAGE,
        )
        fixed = Fixed(
            TEAM,
            "demo-reviewer",
            "demo-decider",
            "demo-handler",
            f"00126Q3{i + 1:04d}R0M",
            "demo-cb2",
        )
        cid = f"demo-cert-{i + 1:02d}"
        story = Story(ctx, cid, ctx.bodies["demo-cb"], client, "iso9001", rng, fixed)
        write = partial(tell, story, stage, ctx.bodies)
        register(ctx.schedule, rng, client, earliest, write)
        stages[stage] = cid
        clients.append(client)
        stories.append(story)
    return stages, clients, stories
