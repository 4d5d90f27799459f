"""The words of the auditor's phone check-in page, in zh-CN and en."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES"]

# key -> (zh-CN, en)
MESSAGES = from_catalogs(__name__)
