"""The words of the body workspace's search, lists, exports and reports, in zh-CN and en.

``MESSAGES`` extends the body's catalogue (:mod:`qcert.web.body_text`) for the search page,
the certification list's filters and sorting, the dashboard's paged lists, the downloads, and
the CertSearch and national reporting downloads; ``PUBLIC`` holds the public search's words.
"""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["MESSAGES", "PUBLIC"]

# key -> (zh-CN, en)
MESSAGES = from_catalogs(__name__)

# The public search's words (its pages show both languages side by side): key -> (zh-CN, en)
PUBLIC = from_catalogs(__name__, "PUBLIC")
