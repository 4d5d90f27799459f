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
