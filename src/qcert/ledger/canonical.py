"""Canonical JSON (RFC 8785, the JSON Canonicalization Scheme): the bytes qcert hashes, signs
and puts on the ledger.

:func:`canonical_json` gives exactly the bytes of the ``rfc8785`` package, which stays the
reference: it is pure Python and took a tenth of the demo's build. A value made only of the
kinds below is written by Python's JSON encoder (in C) instead, which writes them as RFC 8785
does; anything else goes to the reference, which writes it or refuses it with its own error.

- strings: both escape ``"``, ``\\``, ``\\b \\f \\n \\r \\t`` and the other controls as
  ``\\u00xx`` (lower-case hex) and write everything else as UTF-8 (3.2.2.2); a lone surrogate,
  which UTF-8 cannot hold, fails the final encoding and goes to the reference;
- object keys that are strings and sort the same by code point (Python) as by UTF-16 code
  unit (3.2.3): the two orders differ only where a key holds a character from U+E000 up;
- integers within ±(2^53 − 1), the integers an IEEE 754 double holds exactly (3.2.2.3);
- floats whose repr has no exponent: ECMAScript's shortest digits (3.2.2.3) are Python's
  repr, and they differ only in where an exponent starts, in an integral value's ``.0`` and
  in ``-0`` (so an integral float within ±(2^53 − 1) is written as the int it equals);
- ``True``, ``False``, ``None``, lists, tuples and dicts of these (exact types: a subclass,
  such as a string enum, goes to the reference).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["canonical_json", "read_back"]

_SAFE = 2**53 - 1

# check_circular is off: a value that holds itself never gets here, since _plain recurses
# into it first and raises RecursionError, as the reference does.
_ENCODE = json.JSONEncoder(
    ensure_ascii=False,
    sort_keys=True,
    separators=(",", ":"),
    allow_nan=False,
    check_circular=False,
).encode


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical JSON of ``value``, byte for byte as ``rfc8785.dumps`` gives it
    (and refused as it refuses it: ``rfc8785.CanonicalizationError``)."""
    prepared = _prepared(value)
    if prepared is not _REFERENCE:
        try:
            return _ENCODE(prepared).encode()
        except UnicodeEncodeError:
            pass  # a lone surrogate: the reference refuses it and says why
    import rfc8785  # only here: most processes never need the reference

    return rfc8785.dumps(value)


_REFERENCE = object()  # what _prepared gives for a value only the reference may write


def _prepared(value: Any) -> Any:
    """``value`` as Python's JSON encoder writes it the RFC 8785 way (see the module): itself,
    or a copy with each integral float as an int (``5.0`` is written ``5``); ``_REFERENCE``
    when the encoder cannot."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        return value if -_SAFE <= value <= _SAFE else _REFERENCE
    if kind is float:
        text = repr(value)
        if "e" in text or "n" in text:
            return _REFERENCE
        if text.endswith(".0"):  # -0.0 too, written 0
            return int(value) if -_SAFE <= value <= _SAFE else _REFERENCE
        return value
    if kind is dict:
        copy = None
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) < "\ue000"):
                return _REFERENCE
            if type(item) is str:
                continue
            done = _prepared(item)
            if done is _REFERENCE:
                return _REFERENCE
            if done is not item:
                copy = copy or dict(value)
                copy[key] = done
        return value if copy is None else copy
    if kind is list or kind is tuple:
        items = None
        for at, item in enumerate(value):
            if type(item) is str:
                continue
            done = _prepared(item)
            if done is _REFERENCE:
                return _REFERENCE
            if done is not item:
                items = items or list(value)
                items[at] = done
        return value if items is None else items
    return _REFERENCE


def read_back(value: Any) -> Any:
    """``value`` as ``json.loads`` gives it back from its canonical JSON: an integral float as
    the int it is written as (``5.0`` is ``5``), a tuple as a list, an object's members in
    canonical order; ``value`` itself when that changes nothing. Other kinds (only the
    reference writes them, or refuses them), and what holds them, are left as they are."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        text = repr(value)
        if "e" not in text and "n" not in text:
            if not text.endswith(".0"):
                return value  # written with the same shortest digits, read back as itself
            if -_SAFE <= value <= _SAFE:
                return int(value)
        try:  # rare: an exponent, or an integral value past 2**53 written as digits
            return json.loads(canonical_json(value))
        except ValueError:
            return value  # refused (NaN, an infinity): left for the encoding to refuse
    if kind is list or kind is tuple:
        items = None
        for at, item in enumerate(value):
            if type(item) is str:
                continue
            done = read_back(item)
            if done is not item:
                items = items or list(value)
                items[at] = done
        if items is not None:
            return items
        return value if kind is list else list(value)
    if kind is dict:
        keys = list(value)
        if not all(type(key) is str for key in keys):
            return value
        # By code point, as by UTF-16 code unit, unless a key holds a character from U+E000 up.
        plain = all(key.isascii() or max(key) < "\ue000" for key in keys)
        order = sorted(keys) if plain else sorted(keys, key=_utf16)
        copy = None
        for key in keys:
            item = value[key]
            if type(item) is str:
                continue
            done = read_back(item)
            if done is not item:
                copy = copy or dict(value)
                copy[key] = done
        if copy is None and order == keys:
            return value
        source = value if copy is None else copy
        return {key: source[key] for key in order}
    return value


def _utf16(key: str) -> bytes:
    """A member name as RFC 8785 sorts it: by UTF-16 code units (3.2.3)."""
    return key.encode("utf-16-be", "surrogatepass")
