"""Jurisdictions: which administrative divisions (GB/T 2260 codes) a regulator answers for.

A market regulator sits at one level: the nation, a province (``XX0000``), a city (``XXXX00``) or a
county (``XXXXXX``). It supervises every division under its own (国市监认证发〔2025〕72号 (十三):
data shared between levels, each level seeing its own area). The nation is ``100000``, the code
national map data give the country; GB/T 2260 itself names no national code.
"""

from __future__ import annotations

from .lifecycle.identifiers import check_adcode

__all__ = ["NATION", "contains", "level", "prefix", "valid"]

NATION = "100000"


def valid(code: str) -> bool:
    """Whether ``code`` names a jurisdiction: the nation or a well-formed GB/T 2260 code."""
    return code == NATION or check_adcode(code) is None


def level(code: str) -> str:
    """``nation``, ``province``, ``city`` or ``county``."""
    if code == NATION:
        return "nation"
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def prefix(code: str) -> str:
    """The leading digits every division under ``code`` shares ('' for the nation)."""
    return {"nation": "", "province": code[:2], "city": code[:4], "county": code}[level(code)]


def contains(jurisdiction: str, region: str | None) -> bool:
    """Whether ``region`` lies within ``jurisdiction`` (a division lies within itself)."""
    if jurisdiction == NATION:
        return True
    return bool(region) and str(region).startswith(prefix(jurisdiction))
