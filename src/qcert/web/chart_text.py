"""The words charts put on their axes, in zh-CN and en (key -> (zh-CN, en))."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES"]

MESSAGES = from_catalogs(__name__)
