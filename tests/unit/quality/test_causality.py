"""Process graphs and root-cause ranking on small graphs worked by hand."""

import math
import re

import numpy as np
import pytest

from qcert.quality.causality import GraphError, load_graph, rank_root_causes, tep_graph

HAND = """
name: hand
units:
  - {id: u1, name: unit one}
variables:
  - {id: a, name: A, unit: kg/h, process_unit: u1, column: 0}
  - {id: b, name: B, unit: degC, column: 1}
  - {id: c, name: C, unit: kPa, column: 2}
  - {id: d, name: D, unit: "%", column: 3}
loops:
  - {controlled: c, manipulated: b}
edges:
  - {from: a, to: [b]}
  - {from: b, to: [c, d]}
"""


def graph_with(**changes):
    base = {
        "variables": [{"id": "a"}, {"id": "b"}],
        "edges": [{"from": "a", "to": ["b"]}],
    }
    base.update(changes)
    return base


def test_ancestors_descendants_and_paths_on_a_hand_graph():
    g = load_graph(HAND)
    # a -> b -> c, b -> d, and the loop adds c -> b: so b and c form the only cycle.
    assert g.ancestors("d") == {"a", "b", "c"}
    assert g.descendants("a") == {"b", "c", "d"}
    assert g.ancestors("a") == frozenset()
    assert g.paths("a", "d") == [("a", "b", "d")]
    assert g.distances("a") == {"a": 0, "b": 1, "c": 2, "d": 2}
    assert g.cycles == (("b", "c"),)
    assert g.by_column() == ("a", "b", "c", "d")


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        (graph_with(edges=[{"from": "a", "to": ["zz"]}]), "edges[0].to"),
        (graph_with(edges=[{"from": "zz", "to": ["a"]}]), "edges[0].from"),
        (graph_with(edges=[{"from": "a", "to": ["a"]}]), "edges[0].to"),
        (graph_with(variables=[{"id": "a"}, {"id": "a"}]), "variables[1].id"),
        (graph_with(variables=[{"id": "a"}, {"name": "no id"}]), "variables[1].id"),
        (graph_with(loops=[{"controlled": "a", "manipulated": "q"}]), "loops[0].manipulated"),
        (
            graph_with(variables=[{"id": "a", "process_unit": "nowhere"}, {"id": "b"}]),
            "variables[0].process_unit",
        ),
        (
            graph_with(variables=[{"id": "a", "column": 0}, {"id": "b", "column": 0}]),
            "variables[1].column",
        ),
    ],
)
def test_graph_errors_name_the_field(doc, field):
    with pytest.raises(GraphError, match="^" + re.escape(field) + ":"):
        load_graph(doc)


def test_unknown_variable_is_refused_by_the_graph_queries():
    with pytest.raises(GraphError, match="variable: unknown id 'q'"):
        load_graph(HAND).ancestors("q")


def test_a_planted_root_upstream_beats_a_larger_downstream_contribution():
    # Chain r -> x -> y -> z. The fault enters at r (deviates at reading 0) and spreads down the
    # chain one reading per edge; the downstream z is amplified, so RBC alone ranks z first.
    chain = load_graph(
        {
            "variables": [{"id": v} for v in "rxyz"],
            "edges": [{"from": "r", "to": "x"}, {"from": "x", "to": "y"}, {"from": "y", "to": "z"}],
        }
    )
    rbc = np.array([[4.0, 2.0, 3.0, 8.0], [4.0, 2.0, 3.0, 8.0]])
    times = [0.0, 1.0, 2.0, 3.0]
    assert int(np.argmax(rbc.mean(axis=0))) == 3
    ranked = rank_root_causes(rbc, times, chain, list("rxyz"))
    assert [c.variable for c in ranked][:1] == ["r"]
    # Only r deviated first and everything else is downstream of it: r is the only candidate.
    assert len(ranked) == 1
    # By hand: ρ = 4/8, e = (1 + ½ + ¼ + ⅛)/4, p = 1 (all three descendants later).
    r = ranked[0]
    assert r.contribution == pytest.approx(0.5)
    assert r.explained == pytest.approx(1.875 / 4)
    assert r.precedence == pytest.approx(1.0)
    assert r.score == pytest.approx(0.5 * (1 + 1.875 / 4) / 2 * 1.0)


def test_within_the_tolerance_timing_and_paths_order_the_candidates():
    chain = load_graph(
        {
            "variables": [{"id": v} for v in "rxyz"],
            "edges": [{"from": "r", "to": "x"}, {"from": "x", "to": "y"}, {"from": "y", "to": "z"}],
        }
    )
    rbc = [1.0, 1.0, 1.0, 1.0]  # no data preference: the graph and timing decide
    ranked = rank_root_causes(rbc, [0.0, 1.0, 2.0, math.nan], chain, list("rxyz"), tolerance=5)
    # r, x, y deviated within 5 readings of the first; z never did and is upstream of none.
    assert [c.variable for c in ranked] == ["r", "x", "y"]
    # By hand: p_r = 1, p_x = 1, p_y = ½ (no deviating descendant); e_r = (1 + ½ + ¼)/3.
    assert [c.precedence for c in ranked] == [1.0, 1.0, 0.5]
    assert ranked[0].explained == pytest.approx(1.75 / 3)


def test_no_deviation_leaves_every_column_a_candidate_ordered_by_contribution():
    g = load_graph(HAND)
    ranked = rank_root_causes([1.0, 3.0, 2.0, 0.5], [math.inf] * 4, g, list("abcd"))
    assert [c.variable for c in ranked] == ["b", "c", "a", "d"]


def test_inputs_must_match_the_alarm_variables():
    g = load_graph(HAND)
    with pytest.raises(ValueError, match=r"^contributions:"):
        rank_root_causes([1.0, 2.0], [0, 0, 0, 0], g, list("abcd"))
    with pytest.raises(ValueError, match=r"^first_deviation_times:"):
        rank_root_causes([1.0] * 4, [0, 0], g, list("abcd"))
    with pytest.raises(GraphError, match=r"^alarm_variables:"):
        rank_root_causes([1.0] * 4, [0] * 4, g, list("abcq"))


def test_the_tep_graph_holds_the_52_monitored_variables_in_data_order():
    g = tep_graph()
    # Downs & Vogel 1993: 41 measurements and 11 of the 12 manipulated variables in the files.
    order = g.by_column()
    assert len(order) == 52
    assert order[0] == "xmeas1" and order[40] == "xmeas41" and order[41] == "xmv1"
    # The reactor cooling water valve affects reactor temperature (its loop, Ricker 1996).
    assert "xmv10" in g.ancestors("xmeas9") and "xmeas9" in g.ancestors("xmv10")
    assert g.variable("xmeas7").unit == "kPa gauge"
