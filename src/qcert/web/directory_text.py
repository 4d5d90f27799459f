"""The words of the body's organisation and auditor pages, in zh-CN and en.

``NAV`` holds the body navigation's links to them, which every page of the body's workspace
shows (``render.page`` adds them to each page's catalogue).
"""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES", "NAV"]

NAV = from_catalogs(__name__, "NAV")

# key -> (zh-CN, en)
MESSAGES = {**NAV, **from_catalogs(__name__)}
