"""What a user types is searched as text: LIKE's wildcards in it are escaped."""

from __future__ import annotations

import sqlalchemy as sa

from qcert.store.search import ESCAPE, contains


def test_wildcards_and_the_escape_character_are_escaped():
    assert contains("精密") == "%精密%"
    assert contains("50%") == "%50\\%%"
    assert contains("a_b") == "%a\\_b%"
    assert contains("c:\\d") == "%c:\\\\d%"


def test_an_escaped_pattern_matches_only_itself():
    engine = sa.create_engine("sqlite://")
    names = ["百分之50%精工", "500 公司", "a_b", "axb", "c:\\d", "c:d"]
    with engine.connect() as conn:
        for typed, expected in (
            ("50%", ["百分之50%精工"]),
            ("%", ["百分之50%精工"]),
            ("_", ["a_b"]),
            ("\\", ["c:\\d"]),
            ("精工", ["百分之50%精工"]),
        ):
            hits = [
                n
                for n in names
                if conn.execute(
                    sa.select(sa.literal(n).like(contains(typed), escape=ESCAPE))
                ).scalar()
            ]
            assert hits == expected, typed
