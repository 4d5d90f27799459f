"""The words of the public verification pages (search, certificate, credential upload), in
zh-CN and en: those pages print both languages side by side. The public search's result
words are :data:`qcert.web.search_text.PUBLIC`."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES"]

# key -> (zh-CN, en); {kib} and {index} are filled in.
MESSAGES = from_catalogs(__name__)
