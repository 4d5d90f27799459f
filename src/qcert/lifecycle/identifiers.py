"""Identifiers as users know them: unified social credit codes and administrative division codes."""

from __future__ import annotations

import re

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
    """Why a code is refused: the English text, with the Chinese one as ``zh``."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Problem:
        problem = super().__new__(cls, en)
        problem.zh = zh
        return problem


def check_uscc(code: str) -> Problem | None:
    """None when ``code`` is a valid unified social credit code, else the reason."""
    if len(code) != 18:
        return Problem(
            f"must be 18 characters, got {len(code)}", f"须为 18 位，实为 {len(code)} 位"
        )
    if not _USCC.fullmatch(code):
        return Problem(
            "uses characters outside GB 32100 (digits and capitals except I, O, S, V, Z)",
            "含有 GB 32100 以外的字符（只允许数字及除 I、O、S、V、Z 外的大写字母）",
        )
    if code[8:17] == "000000000":
        return Problem("organisation code part is all zeros", "主体标识码部分全为 0")
    want = uscc_check_char(code[:17])
    if code[17] != want:
        return Problem(
            f"check character is {code[17]!r}, GB 32100 gives {want!r}",
            f"校验码为 {code[17]!r}，按 GB 32100 应为 {want!r}",
        )
    return None


def check_adcode(code: str) -> Problem | None:
    """None when ``code`` is a well-formed GB/T 2260 administrative division code, else why not."""
    if not _ADCODE.fullmatch(code):
        return Problem("must be 6 digits (GB/T 2260)", "须为 6 位数字（GB/T 2260）")
    if code[:2] not in _PROVINCES:
        return Problem(
            f"province part {code[:2]} is not a GB/T 2260 province",
            f"省级代码 {code[:2]} 不是 GB/T 2260 规定的省级行政区划",
        )
    return None
