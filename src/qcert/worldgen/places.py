"""Where the demo world's organisations are: prefecture-level cities with their GB/T 2260 codes.

The table (``cities.csv``, its origin in ``SOURCE.md``) holds each city's code, names, province
and centre; clients and their sites are placed around those centres.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["CHINA_BOUNDS", "City", "cities", "province_code"]

# Latitude and longitude limits of mainland China (with Hainan), in degrees: (south, north,
# west, east). Every coordinate the generator gives lies inside.
CHINA_BOUNDS = (18.0, 53.6, 73.5, 135.1)


@dataclass(frozen=True)
class City:
    """A prefecture-level division: GB/T 2260 code, names, province, centre (degrees)."""

    adcode: str
    name_zh: str
    name_en: str
    province_zh: str
    lat: float
    lon: float

    @property
    def short_zh(self) -> str:
        """The name without its 市 suffix, as company names use it (苏州 of 苏州市)."""
        return self.name_zh.removesuffix("市")


def province_code(adcode: str) -> str:
    """The province part of a GB/T 2260 code (the first two digits)."""
    return adcode[:2]


@cache
def cities() -> tuple[City, ...]:
    """Every city of the bundled table, in code order."""
    text = resources.files(__package__).joinpath("cities.csv").read_text(encoding="utf-8")
    return tuple(
        City(
            r["adcode"],
            r["name_zh"],
            r["name_en"],
            r["province_zh"],
            float(r["lat"]),
            float(r["lon"]),
        )
        for r in csv.DictReader(io.StringIO(text))
    )
