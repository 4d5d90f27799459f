"""The workspace's words in zh-CN and en, and which language a request wants.

Every string a workspace page shows is a key with both languages in the gettext catalogs
(``qcert/locale/{zh_CN,en}/LC_MESSAGES/web.i18n.po`` for these, one domain per text module),
so a page can never show one language only; tests check the catalogs are complete.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from ..locale import fill_zh
from ..locale import messages as from_catalogs
from .words_text import MESSAGES as WORDS

__all__ = ["LANGS", "MESSAGES", "lang_of", "translator"]

LANGS = ("zh-CN", "en")
LANG_COOKIE = "qcert_lang"

# key -> (zh-CN, en)
MESSAGES = from_catalogs(__name__)


def lang_of(request: Request) -> str:
    """The language chosen with the switch, else the browser's first preference we speak."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh-CN"
    return "zh-CN"


def translator(lang: str, extra: dict[str, tuple[str, str]] | None = None) -> Callable[..., str]:
    """``t(key, **values)`` in ``lang``; an unknown key raises, so no page shows a raw key."""
    position = 0 if lang == "zh-CN" else 1
    # Every page can name fields, values and times (web.words_text) besides its own words.
    catalogue = {**MESSAGES, **WORDS, **(extra or {})}

    def t(key: str, **values: object) -> str:
        text = catalogue[key][position]
        if not values:
            return text
        return fill_zh(text, values) if position == 0 else text.format(**values)

    return t
