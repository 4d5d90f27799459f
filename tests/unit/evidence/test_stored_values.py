"""The watcher's read-back of stored readings: the values of many canonical bodies parsed at
once are each body's own, whatever the names, the values, a quality or a variable missing."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from qcert.evidence.payload import canonical_text
from qcert.store.watch import _values_of

names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,6}", fullmatch=True)
numbers = st.floats(allow_nan=False, allow_infinity=False)


@given(
    readings=st.lists(
        st.tuples(
            st.dictionaries(names, numbers, min_size=1, max_size=5),
            st.none() | st.dictionaries(names, st.sampled_from(["good", "bad"]), max_size=2),
        ),
        min_size=1,
        max_size=20,
    ),
    variables=st.lists(names, min_size=1, max_size=4, unique=True),
)
@settings(max_examples=300)
def test_values_read_at_once_are_each_bodys_own(readings, variables):
    bodies = [
        canonical_text("d-1", n, 1_800_000_000_000_000, values, quality)
        for n, (values, quality) in enumerate(readings)
    ]
    expected = [[json.loads(b)["values"].get(v, math.nan) for v in variables] for b in bodies]
    got = [list(row) for row in _values_of(bodies, variables)]
    assert len(got) == len(expected)
    for row, want in zip(got, expected, strict=True):
        assert all(
            a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(row, want, strict=True)
        )


def test_values_read_from_a_table_stay_as_read_among_texts():
    # a settled stream's read-back may cross blocks of both kinds: a reading of a block of
    # values comes with its values, one of a block of texts is parsed
    texts = [
        canonical_text("d-1", n, 1_800_000_000_000_000, {"a": n, "b": 2.5}, None) for n in (0, 2)
    ]
    said = [texts[0], (1.0, float("nan")), texts[1]]
    got = [list(row) for row in _values_of(said, ["a", "c"])]
    assert got[0][0] == 0 and math.isnan(got[0][1])
    assert got[1][0] == 1.0 and math.isnan(got[1][1])
    assert got[2][0] == 2 and math.isnan(got[2][1])
    assert _values_of([(1.0,), (2.0,)], ["a"]) == [(1.0,), (2.0,)]
