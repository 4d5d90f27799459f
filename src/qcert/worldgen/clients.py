"""Client organisations of the demo world: credit code, names, personnel and sites.

Organisations are placed in the bundled prefecture-level cities, more of them where China's
industry is denser; a multi-site organisation's other sites lie in its own province where it can.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..lifecycle import commands as c
from ..lifecycle.identifiers import uscc_check_char
from .names import BRANDS, INDUSTRIES, PARKS, ROADS, Industry
from .places import City, cities, province_code
from .schedule import Schedule

__all__ = ["ClientPlan", "confidential", "organisation_code", "plan_client", "register", "uscc"]

# Relative weight of a city by province (GB/T 2260 prefix): the coastal manufacturing provinces
# hold most certified organisations, the west the fewest.
_WEIGHT = {"32": 5, "33": 5, "44": 5, "37": 4, "31": 4, "35": 3, "11": 3, "12": 2, "34": 3}
_WEST = {"54", "62", "63", "64", "65"}
# (smallest, largest) effective personnel and how often organisations of that size apply.
_SIZES = [((5, 25), 30), ((26, 85), 30), ((86, 300), 25), ((301, 1500), 12), ((1501, 5000), 3)]
# GB 11714-1997: weights of the eight characters of an organisation code.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class ClientPlan:
    """A client as registered, with the facts its certifications are planned from."""

    id: str
    uscc: str
    name_zh: str
    name_en: str
    city: City
    industry: Industry
    personnel: int
    sites: list[dict[str, Any]]
    confidential: bool = False

    @property
    def central(self) -> str:
        return next(s["id"] for s in self.sites if s.get("central"))

    @property
    def size_code(self) -> str:
        """S, M or L, as certificate numbers mark the organisation's size."""
        return "S" if self.personnel < 50 else "M" if self.personnel < 1000 else "L"


def organisation_code(body: str) -> str:
    """``body`` (eight digits) with its GB 11714-1997 check character."""
    total = sum(int(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def uscc(rng: random.Random, adcode: str) -> str:
    """A valid unified social credit code of an enterprise (91) registered at ``adcode``.

    GB 32100-2015: registering authority and kind (2), division code (6), organisation code
    (9, GB 11714), check character (1).
    """
    first = "91" + adcode + organisation_code(f"{rng.randrange(10**8):08d}")
    return first + uscc_check_char(first)


def _city_weight(city: City) -> int:
    prefix = province_code(city.adcode)
    return _WEIGHT.get(prefix, 1 if prefix in _WEST else 2)


def _personnel(rng: random.Random) -> int:
    (low, high), _ = rng.choices(_SIZES, weights=[w for _, w in _SIZES])[0]
    return rng.randint(low, high)


def _address(rng: random.Random, city: City) -> str:
    where = city.name_zh if city.province_zh == city.name_zh else city.province_zh + city.name_zh
    return f"{where}{rng.choice(PARKS)}{rng.choice(ROADS)}{rng.randint(1, 999)}号"


def _site(
    rng: random.Random, id_: str, name: str, city: City, central: bool, staff: int | None
) -> dict[str, Any]:
    site: dict[str, Any] = {
        "id": id_,
        "name": name,
        "address": _address(rng, city),
        "adcode": city.adcode,
        "lat": round(city.lat + rng.uniform(-0.08, 0.08), 6),
        "lon": round(city.lon + rng.uniform(-0.1, 0.1), 6),
        "central": central,
    }
    if staff is not None:
        site["personnel"] = staff
    return site


def _sites(rng: random.Random, city: City, personnel: int, service: bool) -> list[dict[str, Any]]:
    count = rng.choices((1, 2, 3), weights=(70, 20, 10))[0] if personnel >= 30 else 1
    if count == 1:
        return [_site(rng, "main", "总部" if service else "主厂区", city, True, None)]
    # Multi-site: every site gives its personnel, so each gets its own audit time (IAF MD 1 7.3).
    shares = sorted((rng.randint(10, 40) for _ in range(count - 1)), reverse=True)
    staff = [max(3, personnel * s // 100) for s in shares]
    head = max(3, personnel - sum(staff))
    same = [x for x in cities() if x.province_zh == city.province_zh and x != city] or list(
        cities()
    )
    sites = [_site(rng, "hq", "总部及主厂区" if not service else "总部", city, True, head)]
    for n, share in enumerate(staff, start=2):
        other = rng.choice(same)
        label = f"{other.short_zh}{'分公司' if service else '分厂'}"
        sites.append(_site(rng, f"s{n}", label, other, False, share))
    return sites


def plan_client(
    rng: random.Random, client_id: str, taken: set[str], places: Sequence[City] | None = None
) -> ClientPlan:
    """A new organisation: city, line of business, names, credit code, personnel and sites."""
    places = places or cities()
    city = rng.choices(places, weights=[_city_weight(x) for x in places])[0]
    industry = rng.choice(INDUSTRIES)
    for attempt in range(len(BRANDS)):
        brand, brand_en = rng.choice(BRANDS)
        # A name already taken gets a branch number, as registries tell same-name companies apart.
        suffix = "" if attempt < 20 else f"第{attempt}"
        name_zh = f"{city.short_zh}{brand}{industry.zh}{suffix}有限公司"
        if name_zh not in taken:
            break
    code = uscc(rng, city.adcode)
    while code in taken:
        code = uscc(rng, city.adcode)
    taken |= {name_zh, code}
    name_en = f"{city.name_en} {brand_en} {industry.en} Co., Ltd."
    personnel = _personnel(rng)
    service = industry.sector >= 29
    return ClientPlan(
        client_id,
        code,
        name_zh,
        name_en,
        city,
        industry,
        personnel,
        _sites(rng, city, personnel, service),
        confidential(client_id),
    )


def confidential(client_id: str) -> bool:
    """Whether an organisation asked that the public see of it only what CertSearch shows:
    about one in ten, drawn from its id (so the world's other draws stay as they were)."""
    return hashlib.sha256(client_id.encode()).digest()[0] < 26


def register(
    schedule: Schedule,
    rng: random.Random,
    client: ClientPlan,
    earliest: date,
    write: Callable[[], None],
) -> None:
    """Run ``write`` (the client's certification stories), then register the client a few
    days before its first application (and not before ``earliest``)."""
    start = len(schedule.steps)
    write()
    first = min((s.day for s in schedule.steps[start:]), default=None)
    if first is None:
        return
    day = max(earliest, first - timedelta(days=rng.randint(1, 30)))
    head = client.sites[0]
    schedule.add(
        day,
        c.RegisterClient(
            client.id,
            client.uscc,
            client.name_zh,
            client.name_en,
            head["address"],
            client.city.adcode,
            client.personnel,
            client.sites,
            client.confidential,
        ),
    )
