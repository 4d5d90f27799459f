"""The words of the certification-body workspace, in zh-CN and en.

``MESSAGES`` extends the workspace catalogue (``qcert.web.i18n``) for the body's pages;
``EVENT_LABELS`` names every event a certification's timeline can show. The names of audits
and tests (``kind.<stage>``) are those the bundled schemes give their stages.
"""

from __future__ import annotations

from .. import schemes
from ..locale import messages as from_catalogs

__all__ = ["EVENT_LABELS", "MESSAGES", "WEEKDAYS"]

# key -> (zh-CN, en)
MESSAGES = from_catalogs(__name__)


def _stage_names() -> dict[str, tuple[str, str]]:
    """``kind.<stage>`` for every stage of the bundled schemes that the words above do not
    name already (the first scheme, by id, that has it gives its title)."""
    out: dict[str, tuple[str, str]] = {}
    for _, scheme in sorted(schemes.bundled().items()):
        for stage in scheme.stages:
            out.setdefault(f"kind.{stage.id}", (stage.title.zh, stage.title.en))
    return out


MESSAGES = {**_stage_names(), **MESSAGES}

# The days of the week from Monday, as the calendar heads its columns: day -> (zh-CN, en).
WEEKDAYS = from_catalogs(__name__, "WEEKDAYS")

# Every event a certification's or its client's timeline can show (see docs/events.md).
EVENT_LABELS = from_catalogs(__name__, "EVENT_LABELS")
