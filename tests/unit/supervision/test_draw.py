"""Double-random inspection: reproducible from the published inputs and the revealed seed, every
risk class sampled, inspectors drawn under the rules, and each refusal naming its rule."""

import hashlib
import json
import math
import random
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcert.errors import QcertError
from qcert.locale.names import field_label
from qcert.supervision.draw import (
    AssignmentImpossible,
    DrawInputInvalid,
    DrawInputs,
    DrawParameters,
    InspectionItem,
    Inspector,
    Pairing,
    Target,
    canonical_inputs,
    commitment,
    draw,
    new_seed,
    verify_reveal,
)

SEED = "5eed" * 16
ITEMS = (
    InspectionItem("audit-conduct", "认证审核活动", "conduct of certification audits", "audit"),
    InspectionItem("certificate-use", "证书使用", "use of certificates", "marks"),
)
BOTH = frozenset({"audit", "marks"})


def targets(n: int = 120, seed: int = 1) -> list[Target]:
    """Certificates of 6 bodies in 4 risk classes, in Jiangsu (32) and Zhejiang (33)."""
    rng = random.Random(seed)
    return [
        Target(
            id=f"cert-{i:04d}",
            kind="certificate",
            risk=rng.choice("AABCCCDDDD"),
            region=rng.choice(["320500", "320100", "330100"]),
            body_id=f"body-{i % 6}",
            organisation_id=f"org-{i}",
            attributes={"scheme": rng.choice(["ISO 9001", "CCC"])},
        )
        for i in range(n)
    ]


def inspectors(n: int = 24) -> list[Inspector]:
    """Inspectors holding both qualifications, each affiliated with one body."""
    return [
        Inspector(
            id=f"insp-{j:03d}",
            qualifications=BOTH,
            region="320500" if j % 2 else "330100",
            affiliations=frozenset({f"body-{j % 8}"}),
        )
        for j in range(n)
    ]


def inputs(**parameters) -> DrawInputs:
    defaults = dict(sizes={"A": 6, "B": 4, "C": 3, "D": 2}, floor=2, control_share=0.2)
    return DrawInputs(
        items=ITEMS,
        targets=targets(),
        inspectors=inspectors(),
        history=[Pairing("insp-001", "body-1"), Pairing("insp-002", "body-2")],
        parameters=DrawParameters(**{**defaults, **parameters}),
    )


def ids(result) -> list[str]:
    return [s.target.id for s in result.selections]


# .. reproducible ..............................................................


def test_the_same_inputs_and_seed_give_the_same_draw_whatever_the_order():
    first = draw(inputs(), SEED)
    shuffled = inputs()
    shuffled = replace(
        shuffled,
        targets=list(reversed(shuffled.targets)),
        inspectors=list(reversed(shuffled.inspectors)),
    )
    assert draw(shuffled, SEED) == first
    assert draw(inputs(), SEED) == first


def test_another_seed_gives_another_draw():
    first, second = draw(inputs(), SEED), draw(inputs(), "f00d" * 16)
    assert ids(first) != ids(second)
    assert first.inputs_sha256 == second.inputs_sha256  # same published inputs
    assert first.digest != second.digest


def test_another_input_gives_another_digest():
    assert draw(inputs(), SEED).digest != draw(inputs(floor=3), SEED).digest


def test_the_canonical_inputs_are_sorted_rfc8785_json():
    data = canonical_inputs(inputs())
    doc = json.loads(data)
    assert rfc8785.dumps(doc) == data
    assert [t["id"] for t in doc["targets"]] == sorted(t.id for t in targets())
    assert doc["items"][0]["id"] == "audit-conduct"
    assert doc["inspectors"][0]["qualifications"] == ["audit", "marks"]
    assert doc["history"] == [
        {"body_id": "body-1", "inspector_id": "insp-001"},
        {"body_id": "body-2", "inspector_id": "insp-002"},
    ]
    assert draw(inputs(), SEED).inputs_sha256 == hashlib.sha256(data).hexdigest()


def _reimplemented(inputs_: DrawInputs, seed: str) -> tuple[list[str], dict[str, list[str]]]:
    """The module docstring's algorithm, written again from the text alone."""
    canonical = canonical_inputs(inputs_)
    d = hashlib.sha256(b"qcert.draw.v1\x00" + seed.encode() + b"\x00" + canonical).digest()
    bits = np.random.PCG64(np.random.SeedSequence(int.from_bytes(d, "big")))

    def below(m):
        while (r := int(bits.random_raw())) >= 2**64 - 2**64 % m:
            pass
        return r % m

    def sample(xs, n):
        xs = list(xs)
        for i in range(n):
            j = i + below(len(xs) - i)
            xs[i], xs[j] = xs[j], xs[i]
        return xs[:n]

    doc = json.loads(canonical)
    p = doc["parameters"]
    frame = doc["targets"]  # already sorted by id; no filters in this test
    picked: set[str] = set()
    n_s = 0
    for risk in sorted({t["risk"] for t in frame}):
        stratum = [t["id"] for t in frame if t["risk"] == risk]
        n = min(len(stratum), max(p["sizes"].get(risk, 0), p["floor"]))
        n_s += n
        picked |= set(sample(stratum, n))
    c = Fraction(str(p["control_share"]))
    picked |= set(sample([t["id"] for t in frame], min(len(frame), math.ceil(c * n_s / (1 - c)))))
    history = {(h["inspector_id"], h["body_id"]) for h in doc["history"]}
    teams = {}
    for t in sorted(picked):
        target = next(x for x in frame if x["id"] == t)
        eligible = [
            i["id"]
            for i in doc["inspectors"]
            if {"audit", "marks"} <= set(i["qualifications"])
            and target["body_id"] not in i["affiliations"]
            and target["organisation_id"] not in i["affiliations"]
            and (i["id"], target["body_id"]) not in history
        ]
        teams[t] = sample(eligible, p["inspectors_per_target"])
    return sorted(picked), teams


def test_an_outsider_reimplementing_the_documented_algorithm_gets_the_same_draw():
    result = draw(inputs(), SEED)
    picked, teams = _reimplemented(inputs(), SEED)
    assert ids(result) == picked
    assert {s.target.id: list(s.inspectors) for s in result.selections} == teams


def test_the_draw_is_pinned():
    # A known answer: any change to the algorithm changes it (then bump VERSION).
    result = draw(inputs(), SEED)
    assert (len(result.selections), result.control_size) == (18, 4)
    assert ids(result)[:4] == ["cert-0000", "cert-0003", "cert-0005", "cert-0017"]
    assert result.selections[0].inspectors == ("insp-022", "insp-014")
    assert result.digest.startswith("bb5a7b39")


# .. commit and reveal .........................................................


def test_a_revealed_seed_matches_its_commitment_and_no_other_does():
    seed = new_seed()
    c = commitment(seed)
    assert len(c) == 64 and verify_reveal(c, seed) and verify_reveal(c.upper(), seed)
    assert not verify_reveal(c, new_seed())
    assert not verify_reveal(c, "short")
    assert draw(inputs(), seed).commitment == c
    # The commitment is not the draw's digest: knowing it does not let anyone run the draw.
    assert draw(inputs(), seed).digest != c


def test_a_guessable_seed_is_refused():
    with pytest.raises(DrawInputInvalid) as err:
        draw(inputs(), "1234")
    assert (err.value.rule, err.value.field) == ("seed.form", "seed")


# .. the design ................................................................


def test_sizes_are_drawn_per_class_and_the_floor_lifts_an_unlisted_class():
    result = draw(inputs(sizes={"A": 5, "C": 1}, floor=2, control_share=0.0), SEED)
    drawn = {s.risk: s.sample for s in result.strata}
    assert drawn == {"A": 5, "B": 2, "C": 2, "D": 2}
    per_class = {r: sum(s.stratum == r for s in result.selections) for r in drawn}
    assert per_class == drawn


def test_rates_are_read_as_written():
    # 10% of 30 is 3 (ceil of 0.1000000000000000055... x 30 would be 4).
    pool = [Target(f"t{i}", "body", "A", "110100", f"t{i}") for i in range(30)]
    people = [Inspector(f"p{j}", BOTH, "110100") for j in range(3)]
    params = DrawParameters(rates={"A": 0.1}, floor=0)
    result = draw(DrawInputs(ITEMS, pool, people, [], params), SEED)
    assert result.strata[0].sample == 3


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 40), max_size=4),
    floor=st.integers(0, 12),
    share=st.sampled_from([0.0, 0.05, 0.1, 0.25, 0.5]),
    seed=st.integers(0, 10**6),
)
def test_every_class_gets_at_least_the_floor_or_all_of_it(sizes, floor, share, seed):
    result = draw(inputs(sizes=sizes, floor=floor, control_share=share), f"{seed:032d}")
    population = {s.risk: s.population for s in result.strata}
    for s in result.strata:
        assert s.sample == min(s.population, max(sizes.get(s.risk, 0), floor))
        picked = sum(x.stratified and x.stratum == s.risk for x in result.selections)
        assert picked == s.sample
    assert set(population) == set("ABCD")
    n_s = sum(s.sample for s in result.strata)
    assert sum(x.control for x in result.selections) == result.control_size
    # The control is at least its share of all draws, and the least number that is.
    n_c = result.control_size
    assert n_c >= share * (n_s + n_c) - 1e-9 or n_c == result.population
    assert n_c == 0 or (n_c - 1) < share * (n_s + n_c - 1) + 1e-9


def test_reported_inclusion_probabilities_follow_the_design():
    result = draw(inputs(), SEED)
    n, g = result.population, Fraction(result.control_size, result.population)
    for s in result.selections:
        stratum = next(x for x in result.strata if x.risk == s.stratum)
        f = Fraction(stratum.sample, stratum.population)
        assert s.inclusion_probability == pytest.approx(float(1 - (1 - f) * (1 - g)))
    assert n == 120


def test_selection_frequencies_match_the_inclusion_probabilities():
    runs = 400
    counts: dict[str, int] = {}
    for r in range(runs):
        result = draw(inputs(), f"{r:040d}")
        for s in result.selections:
            counts[s.target.id] = counts.get(s.target.id, 0) + 1
    result = draw(inputs(), SEED)
    pi = {s.stratum: s.inclusion_probability for s in result.selections}
    by_class: dict[str, list[int]] = {}
    for t in targets():
        by_class.setdefault(t.risk, []).append(counts.get(t.id, 0))
    for risk, hits in by_class.items():
        # Pooled over the class: binomial(len x runs, pi) within 4 standard deviations.
        trials = len(hits) * runs
        sd = math.sqrt(trials * pi[risk] * (1 - pi[risk]))
        assert abs(sum(hits) - trials * pi[risk]) <= 4 * sd, risk


def test_the_control_reaches_classes_the_stratified_draw_leaves_out():
    # Class D sampled 0 with no floor: only the control can pick its targets.
    params = dict(sizes={"A": 6, "B": 4, "C": 3, "D": 0}, floor=0, control_share=0.3)
    seen = [
        s
        for r in range(40)
        for s in draw(inputs(**params), f"{r:040d}").selections
        if s.stratum == "D"
    ]
    assert seen and all(s.control and not s.stratified for s in seen)
    assert all(s.inclusion_probability > 0 for s in seen)


def test_filters_restrict_the_frame():
    result = draw(
        inputs(kinds=("certificate",), region_prefix="32", where={"scheme": ("CCC",)}), SEED
    )
    frame = [t for t in targets() if t.region.startswith("32") and t.attributes["scheme"] == "CCC"]
    assert result.population == len(frame)
    assert all(s.target.region.startswith("32") for s in result.selections)
    assert {s.target.attributes["scheme"] for s in result.selections} == {"CCC"}


# .. inspectors ...............................................................


def _eligible(i: Inspector, t: Target, items, history, region_match: str) -> bool:
    digits = {"province": 2, "city": 4}.get(region_match, 0)
    return (
        {x.qualification for x in items} <= i.qualifications
        and not (i.affiliations & {t.body_id, t.organisation_id})
        and (i.id, t.body_id) not in {(h.inspector_id, h.body_id) for h in history}
        and i.region[:digits] == t.region[:digits]
    )


pools = st.fixed_dictionaries(
    {
        "n_targets": st.integers(1, 25),
        "n_inspectors": st.integers(0, 40),
        "bodies": st.integers(1, 4),
        "k": st.integers(2, 4),
        "region_match": st.sampled_from(["any", "province", "city"]),
        "seed": st.integers(0, 10**9),
        "history": st.lists(st.tuples(st.integers(0, 39), st.integers(0, 3)), max_size=30),
    }
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools)
def test_inspectors_satisfy_every_rule_or_the_refusal_names_a_target_that_lacks_them(pool):
    rng = random.Random(pool["seed"])
    regions = ["320500", "320100", "330100"]
    pool_targets = [
        Target(
            f"t{i}",
            rng.choice(["body", "certificate", "organisation"]),
            rng.choice("AB"),
            rng.choice(regions),
            f"b{rng.randrange(pool['bodies'])}",
            rng.choice([None, f"o{i}"]),
        )
        for i in range(pool["n_targets"])
    ]
    pool_inspectors = [
        Inspector(
            f"i{j}",
            rng.choice([BOTH, BOTH, BOTH | {"lab"}, frozenset({"audit"}), frozenset({"lab"})]),
            rng.choice(regions),
            frozenset(rng.sample([f"b{b}" for b in range(4)] + ["o1", "o2"], rng.randint(0, 2))),
        )
        for j in range(pool["n_inspectors"])
    ]
    history = [Pairing(f"i{a}", f"b{b}") for a, b in pool["history"]]
    params = DrawParameters(
        sizes={"A": 3, "B": 3},
        floor=1,
        control_share=0.2,
        inspectors_per_target=pool["k"],
        region_match=pool["region_match"],
    )
    the_inputs = DrawInputs(ITEMS, pool_targets, pool_inspectors, history, params)
    by_id = {i.id: i for i in pool_inspectors}
    args = (ITEMS, history, pool["region_match"])
    try:
        result = draw(the_inputs, f"{pool['seed']:032d}")
    except AssignmentImpossible as err:
        target = next(t for t in pool_targets if t.id == err.target)
        assert sum(_eligible(i, target, *args) for i in pool_inspectors) < pool["k"]
        assert err.rule.startswith("inspector.") and err.status == 422
        return
    for s in result.selections:
        assert len(s.inspectors) == len(set(s.inspectors)) == pool["k"] >= 2
        assert all(_eligible(by_id[i], s.target, *args) for i in s.inspectors)


def test_inspectors_are_spread_at_random_over_the_eligible():
    used: dict[str, int] = {}
    for r in range(30):
        for s in draw(inputs(), f"{r:040d}").selections:
            for i in s.inspectors:
                used[i] = used.get(i, 0) + 1
    # insp-001 and insp-002 are barred from one body each, not from everything.
    assert len(used) == len(inspectors())


# .. refusals ................................................................


def _one_target(**changes) -> DrawInputs:
    target = Target("cert-1", "certificate", "A", "320500", "body-1", "org-1")
    people = [Inspector(f"p{j}", BOTH, "320500") for j in range(3)]
    base = DrawInputs(ITEMS, [target], people, [], DrawParameters(sizes={"A": 1}))
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("rule", "changes", "zh"),
    [
        (
            "inspector.qualification",
            {
                "inspectors": [
                    Inspector("p0", BOTH, "320500"),
                    *(Inspector(f"p{j}", frozenset({"audit"}), "320500") for j in (1, 2)),
                ]
            },
            "检查资格",
        ),
        (
            "inspector.recusal",
            {
                "inspectors": [
                    Inspector("p0", BOTH, "320500", frozenset({"body-1"})),
                    Inspector("p1", BOTH, "320500", frozenset({"org-1"})),
                    Inspector("p2", BOTH, "320500"),
                ]
            },
            "回避",
        ),
        (
            "inspector.no-repeat",
            {"history": [Pairing("p0", "body-1"), Pairing("p1", "body-1")]},
            "不重复",
        ),
        (
            "inspector.region",
            {
                "inspectors": [Inspector("p0", BOTH, "320100")]
                + [Inspector(f"p{j}", BOTH, "330100") for j in (1, 2)],
                "parameters": DrawParameters(sizes={"A": 1}, region_match="province"),
            },
            "同省",
        ),
    ],
)
def test_each_inspector_rule_refuses_with_its_name_and_the_target(rule, changes, zh):
    with pytest.raises(AssignmentImpossible) as err:
        draw(_one_target(**changes), SEED)
    assert isinstance(err.value, QcertError) and err.value.status == 422
    assert (err.value.rule, err.value.target) == (rule, "cert-1")
    assert "cert-1" in err.value.en and "cert-1" in err.value.zh and zh in err.value.zh
    assert "1 inspector(s) left" in err.value.en and "需要 2 名" in err.value.zh
    assert rule in str(err.value)


def test_rotation_may_be_turned_off():
    changes = {"history": [Pairing("p0", "body-1"), Pairing("p1", "body-1")]}
    relaxed = _one_target(**changes, parameters=DrawParameters(sizes={"A": 1}, no_repeat=False))
    assert len(draw(relaxed, SEED).selections[0].inspectors) == 2


@pytest.mark.parametrize(
    ("field", "rule", "changes"),
    [
        (
            "parameters.inspectors_per_target",
            "inspectors.at-least-two",
            {"parameters": DrawParameters(sizes={"A": 1}, inspectors_per_target=1)},
        ),
        ("parameters.sizes", "input.invalid", {"parameters": DrawParameters()}),
        (
            "parameters.sizes",
            "input.invalid",
            {"parameters": DrawParameters(sizes={"A": 1}, rates={"A": 0.1})},
        ),
        ("parameters.rates[A]", "input.invalid", {"parameters": DrawParameters(rates={"A": 1.5})}),
        (
            "parameters.control_share",
            "input.invalid",
            {"parameters": DrawParameters(sizes={"A": 1}, control_share=1.0)},
        ),
        ("parameters.floor", "input.invalid", {"parameters": DrawParameters(sizes={}, floor=-1)}),
        ("items", "input.invalid", {"items": []}),
        ("inspectors.id", "input.invalid", {"inspectors": [Inspector("p", BOTH, "320500")] * 2}),
        (
            "targets[x].kind",
            "input.invalid",
            {"targets": [Target("x", "person", "A", "320500", "b")]},
        ),
        (
            "targets[x].region",
            "input.invalid",
            {"targets": [Target("x", "body", "A", "Suzhou", "x")]},
        ),
        (
            "targets",
            "frame.empty",
            {"parameters": DrawParameters(sizes={"A": 1}, region_prefix="11")},
        ),
    ],
)
def test_inputs_that_cannot_be_drawn_from_are_refused_naming_the_field(field, rule, changes):
    with pytest.raises(DrawInputInvalid) as err:
        draw(_one_target(**changes), SEED)
    assert (err.value.field, err.value.rule, err.value.status) == (field, rule, 422)
    # The English names the field by its id, the Chinese by its label.
    assert err.value.en.startswith(field) and err.value.zh.startswith(field_label(field))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.zh)
