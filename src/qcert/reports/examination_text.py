"""The examination report's words in zh-CN and en: headings, notes and reasons."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["LABELS", "LANGS", "SKIPPED"]

LANGS = ("en", "zh-CN", "both")

# Every heading and label of the report, as (zh-CN, en).
LABELS = from_catalogs(__name__, "LABELS")

# Why a stream was not examined, as (zh-CN, en).
SKIPPED = from_catalogs(__name__, "SKIPPED")
