"""The words of the planner's view of who is free, and of refusals shown at the top of a
certification's page, in zh-CN and en."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES"]

# key -> (zh-CN, en)
MESSAGES = from_catalogs(__name__)
