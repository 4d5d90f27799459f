"""The words of a body's administration pages (complaints and appeals, people and roles,
client registration, transfers and scope changes), in zh-CN and en."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES"]

# key -> (zh-CN, en)
MESSAGES = from_catalogs(__name__)
