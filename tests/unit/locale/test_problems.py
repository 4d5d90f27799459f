"""The problems of bad input: every key the code refuses with is in both catalogs, with the
places its call fills, and a key or a place the catalogs lack fails loudly."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest

from qcert import locale
from qcert.lifecycle.aggregate import invalid, text_field, utc_instant
from qcert.locale import LOCALES, catalog
from qcert.locale.problems import MESSAGES, problem
from qcert.schemes.errors import RuleViolation

SRC = Path(locale.__file__).parents[1]
PLACE = re.compile(r"\{(\w+)")
# The helpers that take a problem's key (or an action's and a reason's), and where in their
# arguments the keys are.
TAKERS = {
    "problem": (0,),
    "invalid": (1,),
    "_invalid": (1,),
    "_bad": (1,),
    "_problem": (1,),
    "out_of_order": (0, 1),
    "_require": (1, 2),
    "_cert": (0,),
    "_transition": (1,),
    "_after_contract_review": (0,),
    "_needs_certificate": (1,),
    "_still_open": (0,),
    "Problem": (0,),
    "WindowInvalid": (1,),
}


def _places(text: str) -> set[str]:
    return {p.removesuffix("_zh") for p in PLACE.findall(text)}


def _calls() -> list[tuple[str, int, str, set[str] | None]]:
    """Every call of a helper with a key written in the code: (file, line, key, the fields
    the call names, or None when it passes them on with ``**``)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            names = {k.arg for k in node.keywords}
            where = str(path.relative_to(SRC))
            for at in TAKERS.get(name, ()):
                key = node.args[at] if len(node.args) > at else None
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    continue
                if not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+", key.value):
                    continue  # another helper's first words (a form's own refusal), not a key
                found.append((where, node.lineno, key.value, None if None in names else names))
    return found


CALLS = _calls()


def test_the_code_refuses_with_keys():
    assert len(CALLS) > 150
    assert {"text.empty", "text.too_long", "time.no_zone"} <= {c[2] for c in CALLS}


def test_every_key_the_code_uses_is_in_both_catalogs():
    missing = {(f, n, k) for f, n, k, _ in CALLS if k not in MESSAGES}
    assert missing == set()
    for key in {c[2] for c in CALLS}:
        for lang in LOCALES:
            message = catalog("locale.problems", lang).get(key)
            assert message is not None and message.string, (lang, key)


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_of_a_problem_fill_the_same_places(key):
    zh, en = MESSAGES[key]
    assert _places(zh) == _places(en), key


def test_every_call_gives_the_places_its_sentences_fill():
    needed: dict[tuple[str, int], set[str]] = {}
    given: dict[tuple[str, int], set[str] | None] = {}
    for where, line, key, names in CALLS:
        # A call naming an action and a reason fills both from the same fields.
        places = _places(MESSAGES[key][0]) | _places(MESSAGES[key][1]) if key in MESSAGES else set()
        needed.setdefault((where, line), set()).update(places)
        given[(where, line)] = None if names is None else {n.removesuffix("_zh") for n in names}
    for at, names in given.items():
        if names is not None:
            assert needed[at] == names, (at, needed[at], names)


def test_every_problem_in_the_catalogs_is_used():
    used = {c[2] for c in CALLS}
    text = "".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py"))
    unused = {k for k in MESSAGES if k not in used and f'"{k}"' not in text}
    assert unused == set()


def test_a_problem_is_filled_in_both_languages():
    assert problem("text.too_long", limit=64) == ("at most 64 characters", "最多 64 个字符")


def test_an_unknown_key_or_a_missing_place_fails_loudly():
    with pytest.raises(KeyError):
        problem("text.no_such_problem")
    with pytest.raises(KeyError):
        problem("text.too_long")
    with pytest.raises(KeyError):
        invalid("name", "text.no_such_problem")


def test_the_refusal_keeps_its_shape():
    with pytest.raises(RuleViolation) as caught:
        text_field("reason", "   ")
    err = caught.value
    assert err.rule == "input.invalid"
    assert err.en.endswith(": must not be empty")
    assert err.zh.endswith("：不能为空")
    with pytest.raises(RuleViolation) as caught:
        text_field("reason", "x" * 11, limit=10)
    assert caught.value.en.endswith("at most 10 characters")
    assert caught.value.zh.endswith("最多 10 个字符")
    with pytest.raises(RuleViolation) as caught:
        utc_instant(datetime(2026, 1, 1))  # no zone
    assert caught.value.zh.endswith("须带时区")
