"""Where each certification of the demo world is today, and how its story gets there.

A scenario names the stage a certification should have reached by ``today`` and when its
application must have come in for that (in days before today). The first certifications of a
world take every scenario once, so even a small world holds every stage; the rest are drawn by
weight, most of them certified and under surveillance as in a real body's register.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, timedelta

from ..lifecycle.aggregate import add_months
from .parties import BodyPlan
from .stories import Story, StoryEnd

__all__ = ["SCENARIOS", "WEIGHTS", "tell"]

# scenario: (earliest, latest) application, in days before today, and the weight of the draw.
_TABLE = {
    "applied": ((3, 25), 3),
    "contract-reviewed": ((12, 35), 3),
    "stage1": ((50, 80), 4),
    "stage2-open-major": ((110, 160), 4),
    "refused": ((300, 800), 2),
    "certified": ((160, 420), 16),
    "surveilled": ((450, 1050), 30),
    "recertified": ((1230, 1320), 8),
    "expired": ((1260, 1340), 5),
    "suspended": ((300, 900), 5),
    "restored": ((500, 1000), 4),
    "withdrawn": ((500, 1100), 5),
    "transferred": ((300, 700), 3),
    "scope-reduced": ((300, 900), 3),
    "scope-extended": ((300, 900), 3),
    "appealed": ((160, 420), 2),
    "complaint": ((250, 900), 3),
}
SCENARIOS = list(_TABLE)
WEIGHTS = [w for _, w in _TABLE.values()]
_EARLY = ("applied", "contract-reviewed", "stage1", "stage2-open-major", "refused")
# Scenarios that reach the end of a cycle need a scheme whose certificates run three years.
THREE_YEARS = ("recertified", "expired")


def tell(story: Story, scenario: str, bodies: dict[str, BodyPlan]) -> None:
    """Write ``story`` towards ``scenario``; stop quietly at today."""
    with contextlib.suppress(StoryEnd):
        _tell(story, scenario, bodies)


def _tell(story: Story, scenario: str, bodies: dict[str, BodyPlan]) -> None:
    story.scenario = scenario
    rng, today = story.rng, story.ctx.today
    (low, high), _ = _TABLE[scenario]
    d0 = today - timedelta(days=rng.randint(low, high))
    if scenario in _EARLY:
        story.initial(d0, stop=scenario)
        return
    story.initial(d0, stop="appealed" if scenario == "appealed" else "")
    assert story.decided is not None and story.expiry is not None
    decided, expiry = story.decided, story.expiry

    def between(first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=rng.randint(0, (last - first).days))

    def days(a: int, b: int) -> timedelta:
        return timedelta(days=rng.randint(a, b))

    events: list[tuple[date, Callable[[date], bool | None]]] = []
    if scenario == "recertified":
        events.append((expiry - days(60, 90), story.recertify))
    elif scenario == "expired":
        events.append((expiry + days(1, 8), story.enforce))
    elif scenario == "suspended":
        # Recent enough that the six months it may last (9.6.5.2) have not run out.
        t = between(max(decided + days(30, 60), today - days(120, 150)), today - days(3, 10))
        events.append((t, story.suspend))
    elif scenario == "restored":
        t = between(decided + days(60, 90), today - days(120, 200))
        events += [(t, story.suspend), (t + days(25, 50), story.restore)]
    elif scenario == "withdrawn":
        t = between(decided + days(60, 90), today - days(200, 260))
        if rng.random() < 0.4:
            events.append((t, story.withdraw))
        else:
            events += [(t, story.suspend), (add_months(t, 6) + days(1, 10), story.enforce)]
    elif scenario == "transferred":
        to = _other_body(story, bodies)
        x = between(max(decided + days(60, 90), today - days(250, 300)), today - days(3, 10))
        if to is not None:
            events.append((x, lambda d: story.transfer(d, to)))
    elif scenario in ("scope-reduced", "scope-extended"):
        change = "reduce" if scenario == "scope-reduced" else "extend"
        x = between(decided + days(60, 120), today - days(3, 30))
        events.append((x, lambda d: story.change_scope(d, change)))
    elif scenario == "complaint":
        x = between(decided + days(30, 90), today - days(3, 20))
        resolve = rng.random() < 0.7
        events.append((x, lambda d: story.case(d, "complaint", resolve=resolve)))
    story.run(events)


def _other_body(story: Story, bodies: dict[str, BodyPlan]) -> BodyPlan | None:
    """A body approved for the certification's scheme and sector, to transfer it to."""
    if story.fixed:
        return bodies[story.fixed.transfer_to]
    fit = [
        b
        for b in bodies.values()
        if b.id != story.body.id and story.sector in b.sectors.get(story.key, ())
    ]
    return story.rng.choice(fit) if fit else None
