"""A realistic certification world, generated from a size and a seed.

``plan(size=..., seed=..., today=...)`` writes the world as a schedule of dated commands:
four certification bodies with approved scopes over the bundled schemes, their auditors and
decision makers, the demo accounts, the twelve named stage certifications, and ``size`` client
organisations across China's provinces (GB/T 2260 codes, city coordinates) whose certifications
stand at every stage of the cycle, their histories reaching back about three years.
``generate(bus, ...)`` runs that schedule through the message bus in day order, with the clock
set to each command's business day, so every rule of the lifecycle is applied and every event
lands on the ledger. The same size, seed and day give the same world.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from ..demo_world import DEMO_ACCOUNTS, DEMO_PASSWORD
from ..lifecycle import commands as c
from ..schemes import get as get_scheme
from .clients import ClientPlan, plan_client, register
from .named import named_stories
from .parties import BodyPlan, plan_bodies
from .places import CHINA_BOUNDS, City, cities, province_code
from .scenarios import SCENARIOS, THREE_YEARS, WEIGHTS, tell
from .schedule import Schedule, Step
from .stories import Context, Story

__all__ = [
    "CHINA_BOUNDS",
    "DEFAULT_SIZE",
    "City",
    "Clock",
    "Schedule",
    "Step",
    "World",
    "WorldSummary",
    "cities",
    "generate",
    "plan",
]

DEFAULT_SIZE = 300
# The platform opens (bodies, people, accounts) this many days before today: before the oldest
# application any scenario needs.
HISTORY_DAYS = 1400
# A client holds a second certification (another scheme) this often.
SECOND_SCHEME = 0.2
# How much more often the first body, whose staff the demo accounts are, is chosen.
_BODY_WEIGHT = {"demo-cb": 3}


@dataclass(frozen=True)
class WorldSummary:
    """What a generated world holds (counts), the days its applications and last command fall
    on, the named certification of each stage, and how many certifications reached each."""

    bodies: int
    auditors: int
    accounts: int
    clients: int
    provinces: int
    certifications: int
    commands: int
    first_day: date
    last_day: date
    stages: dict[str, str]
    reached: dict[str, int] = field(default_factory=dict)


@dataclass
class World:
    """A planned world: its schedule, and what it is made of."""

    schedule: Schedule
    bodies: dict[str, BodyPlan]
    clients: list[ClientPlan]
    stories: list[Story]
    stages: dict[str, str]
    accounts: int

    def summary(self) -> WorldSummary:
        steps = self.schedule.ordered()
        auditors = sum(isinstance(s.command, c.RegisterAuditor) for s in steps)
        applied = [s.day for s in steps if isinstance(s.command, c.ApplyForCertification)]
        return WorldSummary(
            bodies=len(self.bodies),
            auditors=auditors,
            accounts=self.accounts,
            clients=len(self.clients),
            provinces=len({province_code(x.city.adcode) for x in self.clients}),
            certifications=len(self.stories),
            commands=len(steps),
            first_day=min(applied, default=steps[0].day),
            last_day=steps[-1].day,
            stages=dict(self.stages),
            reached=dict(sorted(Counter(s.reached for s in self.stories).items())),
        )


def plan(*, size: int, seed: int, today: date, accounts: bool = True) -> World:
    """The world for ``size`` generated clients and ``seed``, as it stands on ``today``."""
    if size < 0:
        raise ValueError("size: must not be negative")
    rng = random.Random(f"qcert-world/{seed}")
    schedule = Schedule()
    opened = today - timedelta(days=HISTORY_DAYS)
    bodies = plan_bodies(schedule, rng, opened)
    if accounts:
        for account, roles in DEMO_ACCOUNTS.items():
            schedule.add(opened, c.OpenAccount(account, account, roles, DEMO_PASSWORD))
    ctx = Context(schedule, today, bodies)
    earliest = opened + timedelta(days=1)
    stages, clients, stories = named_stories(ctx, rng, earliest)
    taken = {x.uscc for x in clients}
    for i in range(size):
        crng = random.Random(f"qcert-world/{seed}/client/{i}")
        client = plan_client(crng, f"org-{i + 1:04d}", taken)
        mine = _stories(ctx, crng, client, first=len(stories) - len(stages))
        register(schedule, crng, client, earliest, partial(_tell, mine, bodies))
        stories += [story for story, _ in mine]
        clients.append(client)
    return World(schedule, bodies, clients, stories, stages, len(DEMO_ACCOUNTS) if accounts else 0)


def _stories(
    ctx: Context, rng: random.Random, client: ClientPlan, first: int
) -> list[tuple[Story, str]]:
    """A client's certifications with their scenarios: one, sometimes a second scheme."""
    industry = client.industry
    schemes = [industry.schemes[0] if rng.random() < 0.7 else rng.choice(industry.schemes)]
    if len(industry.schemes) > 1 and rng.random() < SECOND_SCHEME:
        schemes.append(rng.choice([s for s in industry.schemes if s != schemes[0]]))
    out: list[tuple[Story, str]] = []
    for n in range(len(schemes)):
        index = first + n
        scenario = (
            SCENARIOS[index]
            if index < len(SCENARIOS)
            else rng.choices(SCENARIOS, weights=WEIGHTS)[0]
        )
        if scenario in THREE_YEARS and _validity(schemes[n]) != 3:
            # These scenarios run a whole cycle: take a scheme whose certificates last 3 years.
            others = [s for s in industry.schemes if s not in schemes and _validity(s) == 3]
            schemes[n] = others[0]
        scheme = schemes[n]
        body = _body(
            ctx.bodies, scheme, industry.sector, rng, prefer=out[0][0].body if out else None
        )
        short = scheme.split(":")[3] if ":" in scheme else scheme
        out.append((Story(ctx, f"{client.id}-{short}", body, client, scheme, rng), scenario))
    return out


def _validity(scheme: str) -> int:
    return get_scheme(scheme).validity_years


def _body(
    bodies: dict[str, BodyPlan],
    scheme: str,
    sector: int,
    rng: random.Random,
    prefer: BodyPlan | None,
) -> BodyPlan:
    """A body approved for ``scheme`` and ``sector``; the client's first body when it can
    (an integrated audit at one body)."""
    fit = [b for b in bodies.values() if sector in b.sectors.get(scheme, ())]
    if prefer is not None and prefer in fit:
        return prefer
    return rng.choices(fit, weights=[_BODY_WEIGHT.get(b.id, 1) for b in fit])[0]


def _tell(mine: list[tuple[Story, str]], bodies: dict[str, BodyPlan]) -> None:
    for story, scenario in mine:
        tell(story, scenario, bodies)


class Clock:
    """The instant the unit of work stamps events and signatures with; the generator sets it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, instant: datetime) -> None:
        self.now = instant


def generate(
    bus: Callable[[Any], Any],
    *,
    size: int = DEFAULT_SIZE,
    seed: int = 7,
    today: date,
    clock_setter: Callable[[datetime], None] = lambda _: None,
    accounts: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> WorldSummary:
    """Plan the world and run it through ``bus``, each command at its business instant.

    ``clock_setter`` receives that instant (Asia/Shanghai office hours of the command's day)
    before the command runs; ``progress`` receives (done, total) now and then.
    """
    world = plan(size=size, seed=seed, today=today, accounts=accounts)
    total = len(world.schedule)
    for n, (instant, command) in enumerate(world.schedule.timed(), start=1):
        clock_setter(instant)
        try:
            bus(command)
        except Exception as err:
            err.add_note(f"while running {command!r} at {instant.isoformat()} (world seed {seed})")
            raise
        if progress and (n % 500 == 0 or n == total):
            progress(n, total)
    return world.summary()
