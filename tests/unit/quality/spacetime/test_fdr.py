"""Benjamini-Hochberg against the paper's own example and a hand-worked one."""

import numpy as np
import pytest

from qcert.quality.spacetime.fdr import benjamini_hochberg

# Benjamini & Hochberg (1995), JRSS B 57(1), §4: the 15 p-values of the myocardial
# infarction trial they take as their example. At q* = 0.05 the procedure rejects the four
# smallest: p_(4) = 0.0095 <= 4/15 x 0.05 = 0.0133, while p_(k) > k/15 x 0.05 for every
# k >= 5 (e.g. 0.0201 > 0.0167).
PAPER = [0.0201, 0.7590, 0.0001, 0.0004, 0.0019, 0.0095, 0.0278, 0.0298, 0.0344, 0.0459,
         0.3240, 0.4262, 0.5719, 0.6528, 1.0000]  # fmt: skip


def test_the_paper_example_rejects_exactly_the_four_smallest():
    q = benjamini_hochberg(PAPER)
    rejected = sorted(np.asarray(PAPER)[q <= 0.05].tolist())
    assert rejected == [0.0001, 0.0004, 0.0019, 0.0095]


def test_q_values_by_hand():
    # p = 0.01, 0.04, 0.03, 0.005 (m = 4). Ordered: 0.005, 0.01, 0.03, 0.04; times m / rank:
    # 0.02, 0.02, 0.04, 0.04; running minimum from the largest: unchanged.
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    assert q == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_the_step_up_lowers_a_q_value_to_that_of_a_larger_p():
    # p = 0.02, 0.03 (m = 2): 0.02 x 2 / 1 = 0.04 but 0.03 x 2 / 2 = 0.03, so both q = 0.03.
    assert benjamini_hochberg([0.02, 0.03]) == pytest.approx([0.03, 0.03])


def test_each_row_is_its_own_family():
    q = benjamini_hochberg([[0.01, 0.04, 0.03, 0.005], [0.5, 0.5, 0.5, 2e-3]], axis=1)
    assert q[0] == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert q[1] == pytest.approx([0.5, 0.5, 0.5, 8e-3])


def test_a_p_value_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match=r"^p: "):
        benjamini_hochberg([0.1, 1.2])


def test_agrees_with_statsmodels_on_random_p_values():
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    p = np.random.default_rng(0).uniform(size=200) ** 3
    reference = multitest.multipletests(p, method="fdr_bh")[1]
    assert benjamini_hochberg(p) == pytest.approx(reference, abs=1e-15)
