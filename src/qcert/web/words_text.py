"""The words that name fields, values and times on every page (key -> (zh-CN, en))."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES"]

MESSAGES = from_catalogs(__name__)
