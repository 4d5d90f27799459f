"""Words for input the workspace refuses before reading it (key -> (zh-CN, en)): the field
and its rule."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES"]

MESSAGES = from_catalogs(__name__)
