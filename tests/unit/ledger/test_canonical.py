"""Canonical JSON: byte for byte what the ``rfc8785`` reference writes, refused as it refuses."""

import json
import math

import pytest
import rfc8785
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qcert.ledger.canonical import canonical_json, read_back

# Characters from every plane, lone surrogates and controls included.
_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=8)
_KEYS = st.one_of(_TEXT, st.sampled_from(["\ue000", "\uffff", "😀", "€", "a", "\u0080"]))
_NUMBERS = st.one_of(
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, 1e16, 1e21, 1e-4, 1e-7, 5e-324, 1.7976931348623157e308]),
)
_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), _NUMBERS, _TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(_KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)


def _reference(value):
    try:
        return rfc8785.dumps(value)
    except Exception as err:
        return type(err)


def _ours(value):
    try:
        return canonical_json(value)
    except Exception as err:
        return type(err)


@settings(max_examples=500, deadline=None)
@given(_VALUES)
def test_every_value_is_written_or_refused_as_the_reference_does(value):
    assert _ours(value) == _reference(value)


def test_keys_sort_by_utf16_code_units_as_rfc8785_3_2_3_shows():
    # RFC 8785 3.2.3's example: by UTF-16 code unit, "😀" (D83D DE00) comes before U+FB33.
    value = {"\u20ac": "Euro", "\r": "CR", "\ufb33": "Hebrew", "1": "One",
             "\U0001f600": "Smiley", "\x80": "C1", "\xf6": "Latin"}  # fmt: skip
    order = ["\r", "1", "\x80", "\xf6", "\u20ac", "\U0001f600", "\ufb33"]
    expected = "{" + ",".join(f'"{k}":"{value[k]}"' for k in order) + "}"
    assert canonical_json(value) == expected.replace("\r", "\\r").encode() == rfc8785.dumps(value)


@pytest.mark.parametrize(
    ("number", "text"),
    [(1.0, "1"), (-0.0, "0"), (1e21, "1e+21"), (1e-7, "1e-7"), (0.000001, "0.000001"),
     (123456789012345680000.0, "123456789012345680000"), (0.1, "0.1"),
     (2**53 - 1, "9007199254740991")],
)  # fmt: skip
def test_numbers_are_written_as_ecmascript_writes_them(number, text):
    assert canonical_json([number]) == f"[{text}]".encode() == rfc8785.dumps([number])


@pytest.mark.parametrize(
    "value",
    [[math.nan], {"x": math.inf}, [2**53], {1: "not a string key"}, ["\ud800"], {1.5}],
    ids=["nan", "infinity", "integer-too-large", "non-string-key", "lone-surrogate", "set"],
)
def test_what_rfc8785_refuses_is_refused(value):
    with pytest.raises(rfc8785.CanonicalizationError):
        canonical_json(value)


def _typed(value):
    """``value`` with every kind, float digit and member order spelled out: as Python values,
    5.0 == 5 and dicts in another order are equal."""
    if isinstance(value, dict):
        return ("dict", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_typed(item) for item in value])
    return (type(value).__name__, repr(value))


@settings(max_examples=500, deadline=None)
@given(_VALUES)
def test_a_value_is_read_back_as_its_canonical_json_decodes(value):
    written = _ours(value)
    assume(isinstance(written, bytes))  # what is refused is never read back
    assert _typed(read_back(value)) == _typed(json.loads(written))


@pytest.mark.parametrize(
    ("value", "back"),
    [
        (5.0, 5),
        (-0.0, 0),
        (2.5, 2.5),
        (1e16, 10**16),
        (2.0**60, 1152921504606847000),
        ((1.0, "a"), [1, "a"]),
        ({"b": 1.0, "a": [2.0]}, {"a": [2], "b": 1}),
        ({"\ufb33": 1, "\U0001f600": 2}, {"\U0001f600": 2, "\ufb33": 1}),
    ],
)
def test_integral_floats_tuples_and_member_order_read_back_as_decoded(value, back):
    assert _typed(read_back(value)) == _typed(back)


def test_a_value_that_reads_back_as_itself_is_not_copied():
    value = {"a": [1, 2.5, {"b": None}], "c": "x"}
    assert read_back(value) is value
