"""The demo world as planned (no store): places, identifiers, scenarios, order and determinism."""

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from qcert.lifecycle import commands as c
from qcert.lifecycle.identifiers import check_adcode, check_uscc
from qcert.worldgen import CHINA_BOUNDS, DEFAULT_SIZE, cities, plan
from qcert.worldgen.clients import organisation_code
from qcert.worldgen.scenarios import SCENARIOS

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def world():
    return plan(size=DEFAULT_SIZE, seed=7, today=TODAY)


def _registered(world) -> list[c.RegisterClient]:
    return [s.command for s in world.schedule.steps if isinstance(s.command, c.RegisterClient)]


def test_the_city_table_holds_prefecture_level_divisions_of_every_province():
    table = cities()
    codes = [x.adcode for x in table]
    assert len(codes) == len(set(codes)) >= 100
    assert all(check_adcode(code) is None and code.endswith("00") for code in codes)
    assert len({code[:2] for code in codes}) == 31
    south, north, west, east = CHINA_BOUNDS
    assert all(south <= x.lat <= north and west <= x.lon <= east for x in table)


def test_every_client_is_placed_in_a_real_division_inside_china(world):
    known = {x.adcode for x in cities()}
    south, north, west, east = CHINA_BOUNDS
    clients = _registered(world)
    assert len(clients) == DEFAULT_SIZE + 12
    for client in clients:
        assert client.adcode in known
        assert check_uscc(client.uscc) is None
        for site in client.sites:
            assert site["adcode"] in known
            assert south <= site["lat"] <= north and west <= site["lon"] <= east
    assert len({x.uscc for x in clients}) == len(clients)


def test_clients_spread_over_many_provinces(world):
    assert world.summary().provinces >= 10
    per_province = Counter(x.adcode[:2] for x in _registered(world))
    assert max(per_province.values()) < sum(per_province.values()) / 4


def test_organisation_codes_carry_their_gb_11714_check_character():
    # 1·3 + 2·7 + 3·9 + 4·10 + 5·5 + 6·8 + 7·4 + 8·2 = 201; 11 - 201 mod 11 = 8
    assert organisation_code("12345678") == "123456788"
    assert organisation_code("00000001")[-1] == "9"  # 11 - 2 = 9


def test_every_scenario_is_planned_and_most_clients_are_certified(world):
    scenarios = Counter(s.scenario for s in world.stories)
    assert set(scenarios) == set(SCENARIOS)
    reached = Counter(s.reached for s in world.stories)
    certified = sum(reached[k] for k in ("certified", "surveilled", "recertified", "restored"))
    assert certified > len(world.stories) / 2


def test_a_small_world_still_holds_every_scenario():
    small = plan(size=len(SCENARIOS), seed=3, today=TODAY, accounts=False)
    generated = [s for s in small.stories if not s.id.startswith("demo-cert-")]
    assert {s.scenario for s in generated} == set(SCENARIOS)


def test_commands_run_in_day_order_within_office_hours_and_never_after_today(world):
    shanghai = ZoneInfo("Asia/Shanghai")
    instants = [instant for instant, _ in world.schedule.timed()]
    assert instants == sorted(instants)
    assert instants[-1] <= datetime.combine(TODAY, time(17, 0), shanghai)
    assert all(time(9, 0) <= i.astimezone(shanghai).time() <= time(17, 0) for i in instants)
    assert (TODAY - world.summary().first_day).days < 4 * 366


def test_each_client_is_registered_before_it_applies(world):
    registered: set[str] = set()
    for step in world.schedule.ordered():
        if isinstance(step.command, c.RegisterClient):
            registered.add(step.command.client_id)
        elif isinstance(step.command, c.ApplyForCertification):
            assert step.command.client_id in registered


def test_the_same_seed_plans_the_same_world_and_another_seed_another():
    one, again = (plan(size=20, seed=5, today=TODAY) for _ in range(2))
    other = plan(size=20, seed=6, today=TODAY)

    def commands(w):
        # Passwords are hashed with a random salt when run, not when planned: plans compare whole.
        return [(s.day, repr(s.command)) for s in w.schedule.ordered()]

    assert commands(one) == commands(again)
    assert commands(one) != commands(other)


def test_the_named_certifications_are_always_there():
    stages = plan(size=0, seed=1, today=TODAY).stages
    assert stages["suspended"] == "demo-cert-07"
    assert sorted(stages.values()) == [f"demo-cert-{n:02d}" for n in range(1, 13)]
