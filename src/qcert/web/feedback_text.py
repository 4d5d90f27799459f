"""The words of the portal's audit plan and answer deadlines, of the confirmations shown
after an action, of the Word and Excel upload checks, and of the confirm step irreversible
actions ask for, in zh-CN and en (key -> (zh-CN, en))."""

from __future__ import annotations

from ..locale import messages as from_catalogs

__all__ = ["BODY_MESSAGES", "HOME_MESSAGES", "MESSAGES"]

MESSAGES = from_catalogs(__name__)

# The body workspace's confirm step for actions that cannot be undone.
BODY_MESSAGES = from_catalogs(__name__, "BODY_MESSAGES")

# The workspace's landing list: each role by the name people use, and where it is held.
HOME_MESSAGES = from_catalogs(__name__, "HOME_MESSAGES")
