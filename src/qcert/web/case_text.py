"""The words of a case's steps (ISO/IEC 17021-1:2015 9.7, 9.8): acknowledging receipt,
recording progress, who decided, and the clauses each form rests on; in zh-CN and en."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES"]

# key -> (zh-CN, en)
MESSAGES = from_catalogs(__name__)
