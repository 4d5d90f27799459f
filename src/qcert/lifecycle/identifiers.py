"""Identifiers as users know them: unified social credit codes and administrative division codes."""

from __future__ import annotations

import re

from ..locale.problems import problem

__all__ = ["Problem", "check_adcode", "check_uscc", "uscc_check_char"]

# GB 32100-2015 4.2: 18 characters from this 31-character set (no I, O, S, V, Z).
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC = re.compile(r"[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}")
_ADCODE = re.compile(r"[1-8][0-9]{5}")
# GB/T 2260: province-level prefixes (with 71 Taiwan, 81 Hong Kong, 82 Macao).
_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
}


def uscc_check_char(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100-2015 4.3, mod 31)."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


class Problem(str):
    """Why a code is refused: the English text, with the Chinese one as ``zh``; both are the
    problem ``key`` of the catalogs (``locale.problems``) with ``fields`` filled in."""

    zh: str

    def __new__(cls, key: str, /, **fields: object) -> Problem:
        en, zh = problem(key, **fields)
        found = super().__new__(cls, en)
        found.zh = zh
        return found


def check_uscc(code: str) -> Problem | None:
    """None when ``code`` is a valid unified social credit code, else the reason."""
    if len(code) != 18:
        return Problem("uscc.length", length=len(code))
    if not _USCC.fullmatch(code):
        return Problem("uscc.characters")
    if code[8:17] == "000000000":
        return Problem("uscc.zero_organisation")
    want = uscc_check_char(code[:17])
    if code[17] != want:
        return Problem("uscc.check_character", given=code[17], want=want)
    return None


def check_adcode(code: str) -> Problem | None:
    """None when ``code`` is a well-formed GB/T 2260 administrative division code, else why not."""
    if not _ADCODE.fullmatch(code):
        return Problem("adcode.digits")
    if code[:2] not in _PROVINCES:
        return Problem("adcode.province", province=code[:2])
    return None
