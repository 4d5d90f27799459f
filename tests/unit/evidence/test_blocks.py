"""Cutting a device's new readings into stored blocks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcert.evidence.blocks import (
    BLOCK_READINGS,
    SEQ_SPAN,
    TIME_SPAN,
    cut,
    ints,
    pack,
    split_texts,
)

T0 = 1_780_000_020_000_000  # µs, on a whole minute


def _cut(seqs, times, window):
    texts = [f"r{s}" for s in seqs]
    leaves = [s.to_bytes(32, "big") for s in seqs]
    received = [t + 5 for t in times]
    return cut("d1", seqs, times, received, texts, leaves, window)


@settings(max_examples=200, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 2**53 - 1), st.integers(T0, T0 + 600_000_000)),
        min_size=1,
        max_size=3000,
        unique_by=lambda x: x[0],
    ),
    window=st.sampled_from([1_000_000, 10_000_000, 45_000_000, 60_000_000, 3_600_000_000]),
)
def test_every_reading_is_in_one_block_whose_header_says_what_it_holds(data, window):
    seqs, times = [s for s, _ in data], [t for _, t in data]
    blocks = _cut(seqs, times, window)
    seen = {}
    cell = math.gcd(window, TIME_SPAN)
    for b in blocks:
        held, taken = ints(b.seqs), ints(b.times)
        assert held == sorted(held) and len(held) == b.count <= BLOCK_READINGS
        assert (b.first_seq, b.last_seq) == (held[0], held[-1])
        assert b.last_seq - b.first_seq < SEQ_SPAN
        assert (b.start_us, b.end_us) == (min(taken), max(taken))
        # one minute and one window: a window's blocks are its own whole
        assert b.start_us // cell == b.end_us // cell
        assert b.start_us // window == b.end_us // window
        assert b.start_us // TIME_SPAN == b.end_us // TIME_SPAN
        texts = split_texts(b.bodies, b.count)
        received = ints(b.received)
        for i, (seq, at) in enumerate(zip(held, taken, strict=True)):
            assert seq not in seen
            seen[seq] = at
            assert texts[i] == f"r{seq}" and received[i] == at + 5
            assert b.leaves[32 * i : 32 * i + 32] == seq.to_bytes(32, "big")
    assert seen == dict(data)


def test_a_usual_batch_is_one_block_and_a_long_one_is_cut_every_1024():
    seqs = list(range(100, 100 + 2500))
    times = [T0 + 1000 * i for i in range(2500)]  # 2.5 s, inside one 10 s window
    blocks = _cut(seqs, times, 10_000_000)
    assert [b.count for b in blocks] == [1024, 1024, 452]
    assert len(_cut(seqs[:150], times[:150], 10_000_000)) == 1


def test_seqs_far_apart_are_cut_where_the_span_would_pass_its_bound():
    blocks = _cut([0, 1, SEQ_SPAN - 1, SEQ_SPAN, 5 * SEQ_SPAN], [T0] * 5, 60_000_000)
    assert [ints(b.seqs) for b in blocks] == [[0, 1, SEQ_SPAN - 1], [SEQ_SPAN], [5 * SEQ_SPAN]]


def test_readings_sent_out_of_order_are_stored_in_seq_order():
    [block] = _cut([5, 3, 4], [T0 + 2, T0 + 1, T0], 60_000_000)
    assert ints(block.seqs) == [3, 4, 5] and ints(block.times) == [T0 + 1, T0, T0 + 2]
    assert split_texts(block.bodies, 3) == ["r3", "r4", "r5"]


def test_packing_is_little_endian_and_round_trips():
    assert pack([1, -1]) == b"\x01" + b"\x00" * 7 + b"\xff" * 8
    assert ints(pack([0, 2**62, -(2**62)])) == [0, 2**62, -(2**62)]


def test_a_body_column_holding_another_number_of_texts_is_refused():
    with pytest.raises(ValueError, match="holds 2 texts"):
        split_texts("a\nb", 3)
    assert split_texts("", 0) == []
