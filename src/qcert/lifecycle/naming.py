"""How people name an organisation and a certification: by the organisation's name in the
reader's language and the standard the certification is to ("上海博达精密机械有限公司 ·
ISO 9001:2015"), never by the ids the platform keys them with. Shared by the pages, the
exports and the notices (on the page and by e-mail)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import schemes

__all__ = ["certification_name", "organisation_name"]


def organisation_name(row: Mapping[str, Any], lang: str) -> str:
    """The organisation's name in ``lang`` (its Chinese name when it has no English one);
    ``row`` holds ``name_zh`` and ``name_en``."""
    return row["name_zh"] if lang == "zh-CN" or not row.get("name_en") else row["name_en"]


def certification_name(row: Mapping[str, Any], lang: str) -> str:
    """A certification as people name it: the organisation and the scheme's standard; ``row``
    holds ``name_zh``, ``name_en`` and ``scheme_id``."""
    try:
        standard = schemes.get(row["scheme_id"]).standard
        short = f"{standard.code}:{standard.edition}"
    except schemes.SchemeError:
        short = row["scheme_id"]
    return f"{organisation_name(row, lang)} · {short}"
