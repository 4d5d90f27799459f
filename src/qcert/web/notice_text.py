"""The notices page's words, and the header's notices link (key -> (zh-CN, en))."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES"]

MESSAGES = from_catalogs(__name__)
