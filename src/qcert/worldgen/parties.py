"""The bodies of the demo world, their approved scopes, their people and the demo accounts.

Each body holds a different mix of the bundled schemes; for each scheme it is approved for every
sector its clients work in, and at least three of its auditors are qualified for each scheme and
sector, so every audit team can be made of competent auditors (ISO/IEC 17021-1:2015 7.2.4).
Reviewers, deciders and case handlers never sit on an audit team, which keeps them independent of
what they review, decide or handle (9.5.1.2, 9.8.3).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from ..lifecycle import commands as c
from .names import DATA, GIVEN_NAMES, INDUSTRIES, PRODUCT, SERVICE, SMART, SURNAMES
from .schedule import Schedule

__all__ = ["BODIES", "BodyPlan", "plan_bodies"]

# (id, CNCA approval, name zh, name en, accreditation, code in certificate numbers, schemes)
BODIES = [
    (
        "demo-cb",
        "CNCA-R-2002-001",
        "示例质量认证中心",
        "Example Quality Certification Centre",
        "CNAS C001-M",
        "001",
        ("iso9001", "iso14001", "iso45001"),
    ),
    (
        "demo-cb2",
        "CNCA-R-2003-017",
        "示例环境与信息安全认证有限公司",
        "Example Environment and Information Security Certification Co., Ltd.",
        "CNAS C017-M",
        "017",
        ("iso9001", "iso14001", "iso27001", DATA),
    ),
    (
        "demo-cb3",
        "CNCA-R-2005-032",
        "示例智能制造与产品认证中心",
        "Example Smart Manufacturing and Product Certification Centre",
        "CNAS C032-P",
        "032",
        ("iso9001", "iso45001", SMART, PRODUCT),
    ),
    (
        "demo-cb4",
        "CNCA-R-2011-058",
        "示例服务认证有限公司",
        "Example Service Certification Co., Ltd.",
        "CNAS C058-M",
        "058",
        ("iso9001", "iso14001", "iso45001", SERVICE),
    ),
]
# The people of the first body keep the names the demo accounts are known by.
NAMED_STAFF = {
    "demo-lead": "王建国",
    "demo-auditor": "李敏",
    "demo-reviewer": "赵磊",
    "demo-decider": "陈静",
    "demo-handler": "刘洋",
}
# CCAA registration numbers name the auditor's main scheme: 2015-N1QMS-1234567.
_REGISTER = {"iso9001": "QMS", "iso14001": "EMS", "iso45001": "OHSMS", "iso27001": "ISMS"}
APPROVED_FROM = date(2015, 1, 1)
AUDITORS_PER_BODY = 12
MIN_QUALIFIED = 3


@dataclass
class BodyPlan:
    """A body with what the generator needs to staff audits and decisions."""

    id: str
    code: str
    sectors: dict[str, list[int]]  # scheme -> approved sectors
    qualified: dict[str, dict[str, set[int]]] = field(default_factory=dict)  # person -> scheme
    reviewers: list[str] = field(default_factory=list)
    deciders: list[str] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)
    # Serials below 100 are left to the named demo certifications.
    numbers: int = 100
    # person -> (first day, last day, certification) of each audit they are on: nobody is
    # planned on two certifications' audits on the same days (audit.double-booking).
    booked: dict[str, list[tuple[date, date, str]]] = field(default_factory=dict)

    def free(self, person: str, start: date, end: date, certification: str) -> bool:
        """Whether ``person`` is on no other certification's audit between start and end."""
        return all(
            cid == certification or e < start or s > end
            for s, e, cid in self.booked.get(person, ())
        )

    def book(self, people: list[str], start: date, end: date, certification: str) -> None:
        for person in people:
            self.booked.setdefault(person, []).append((start, end, certification))

    def auditors_for(self, scheme: str, sector: int) -> list[str]:
        """The team candidates qualified for ``scheme`` and ``sector``, in a stable order."""
        return sorted(p for p, q in self.qualified.items() if sector in q.get(scheme, ()))

    def next_number(self, year: int, scheme_code: str, size: str) -> str:
        """A fresh certificate number: body code, year, scheme code, serial, cycle, size."""
        self.numbers += 1
        return f"{self.code}{year % 100:02d}{scheme_code}{self.numbers:04d}R0{size}"


def _sectors_by_scheme(schemes: tuple[str, ...]) -> dict[str, list[int]]:
    out = {s: sorted({i.sector for i in INDUSTRIES if s in i.schemes}) for s in schemes}
    if "iso9001" in out:
        # The twelve named certifications of the first body are in sector 17.
        out["iso9001"] = sorted({*out["iso9001"], 17})
    return out


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def _registration(rng: random.Random, scheme: str, year: int) -> str:
    short = scheme.split(":")[3] if ":" in scheme else scheme
    code = _REGISTER.get(short, "SC")
    return f"{year}-N1{code}-{rng.randint(1000000, 9999999)}"


def plan_bodies(schedule: Schedule, rng: random.Random, day: date) -> dict[str, BodyPlan]:
    """Register the bodies with their scopes and people on ``day``; return them by id."""
    out: dict[str, BodyPlan] = {}
    for body_id, approval, zh, en, accreditation, code, schemes in BODIES:
        schedule.add(day, c.RegisterBody(body_id, approval, zh, en, accreditation))
        body = BodyPlan(body_id, code, _sectors_by_scheme(schemes))
        for scheme, sectors in body.sectors.items():
            schedule.add(day, c.GrantBodyScope(body_id, scheme, sectors, APPROVED_FROM))
        _staff(schedule, rng, day, body)
        out[body_id] = body
    return out


def _staff(schedule: Schedule, rng: random.Random, day: date, body: BodyPlan) -> None:
    schemes = list(body.sectors)
    if body.id == "demo-cb":
        team = ["demo-lead", "demo-auditor"]
        body.reviewers, body.deciders = (
            ["demo-reviewer", "demo-cb-r2"],
            ["demo-decider", "demo-cb-d2"],
        )
        body.handlers = ["demo-handler"]
    else:
        team = []
        body.reviewers = [f"{body.id}-r1", f"{body.id}-r2"]
        body.deciders = [f"{body.id}-d1", f"{body.id}-d2"]
        body.handlers = [f"{body.id}-h1"]
    team += [f"{body.id}-a{n:02d}" for n in range(1, AUDITORS_PER_BODY + 1)]
    quals: dict[str, dict[str, set[int]]] = {}
    for person in team:
        own = rng.sample(schemes, k=min(len(schemes), rng.choice((1, 2, 2, 3))))
        quals[person] = {
            s: set(rng.sample(body.sectors[s], k=min(len(body.sectors[s]), rng.randint(3, 6))))
            for s in own
        }
    if body.id == "demo-cb":
        # The demo's lead and auditor can audit every quality certification of the body.
        for person in ("demo-lead", "demo-auditor"):
            quals[person]["iso9001"] = set(body.sectors["iso9001"])
    for scheme, sectors in body.sectors.items():
        for sector in sectors:
            holders = [p for p in team if sector in quals[p].get(scheme, ())]
            for p in rng.sample(
                [p for p in team if p not in holders], k=max(0, MIN_QUALIFIED - len(holders))
            ):
                quals[p].setdefault(scheme, set()).add(sector)
    seniors = body.reviewers + body.deciders + body.handlers
    for person in [*team, *seniors]:
        own = quals.get(person) or {s: set(v) for s, v in body.sectors.items()}
        main = next(iter(own))
        name = NAMED_STAFF.get(person) or _person_name(rng)
        registration = _registration(rng, main, rng.randint(2008, 2020))
        schedule.add(day, c.RegisterAuditor(person, registration, name, body.id))
        for scheme, sectors in own.items():
            schedule.add(day, c.QualifyAuditor(person, scheme, sorted(sectors)))
    body.qualified = quals
