"""Cutting a device's new readings into stored blocks."""

from __future__ import annotations

import math
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcert.evidence.blocks import (
    BLOCK_READINGS,
    SEQ_SPAN,
    TIME_SPAN,
    cut,
    floats,
    ints,
    pack,
    pack_floats,
    split_texts,
    texts_of,
    values_of,
)
from qcert.evidence.payload import canonical_rows

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


_VALUE = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1e21, 1e-7, 5.0, -123.5, 2.0**60]),
)


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 2**53 - 1), st.integers(T0, T0 + 200_000_000), _VALUE, _VALUE),
        min_size=1,
        max_size=2100,
        unique_by=lambda x: x[0],
    ),
    window=st.sampled_from([1_000_000, 10_000_000, 60_000_000]),
)
def test_a_block_that_keeps_values_gives_back_the_texts_and_values_of_its_readings(data, window):
    # the texts written again from a block are those written from the message's table when
    # the readings came (what their leaves commit to), however the readings were cut
    names = ("speed", "load")
    seqs, times = [d[0] for d in data], [d[1] for d in data]
    table = array("d", [v for d in data for v in d[2:]])
    texts = canonical_rows("d1", seqs, times, names, table)
    by_seq = {s: (text, d[2:]) for s, text, d in zip(seqs, texts, data, strict=True)}
    leaves = [s.to_bytes(32, "big") for s in seqs]
    blocks = cut("d1", seqs, times, times, ["unused"] * len(seqs), leaves, window, (names, table))
    assert sum(b.count for b in blocks) == len(data)
    for b in blocks:
        assert b.bodies == "" and b.variables == "speed,load" and len(b.table) == 16 * b.count
        held, taken = ints(b.seqs), ints(b.times)
        assert texts_of("d1", b.count, held, taken, b.bodies, b.variables, b.table) == [
            by_seq[s][0] for s in held
        ]
        got = values_of(b.count, b.variables, b.table, ["load", "absent", "speed"])
        for s, (load, absent, speed) in zip(held, got, strict=True):
            assert (speed, load) == by_seq[s][1] and math.isnan(absent)


def test_a_block_of_texts_has_no_values_to_give():
    [block] = _cut([1, 2], [T0, T0 + 1], 60_000_000)
    assert block.variables is None and block.table is None
    assert values_of(2, block.variables, block.table, ["x"]) is None
    assert texts_of("d1", 2, [1, 2], [T0, T0 + 1], block.bodies, None, None) == ["r1", "r2"]


def test_a_table_of_another_size_than_its_count_is_refused():
    table = pack_floats([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="holds 3 values"):
        texts_of("d1", 2, [1, 2], [T0, T0], "", "a,b", table)
    with pytest.raises(ValueError, match="holds 3 values"):
        values_of(2, "a,b", table, ["a"])


def test_floats_are_packed_little_endian_and_round_trip():
    assert pack_floats([1.0]) == bytes.fromhex("000000000000f03f")
    assert list(floats(pack_floats([-0.0, 1e300, 5e-324]))) == [-0.0, 1e300, 5e-324]


def test_a_name_with_a_comma_cannot_be_kept():
    with pytest.raises(ValueError, match="comma"):
        cut("d1", [1], [T0], [T0], ["r1"], [b"x" * 32], 60_000_000, (("a,b",), array("d", [1])))
