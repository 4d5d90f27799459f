"""What the pages say where code would otherwise show through: times in the viewer's zone,
schemes by the standards people know, fields and values by their names, rules' sources by
their documents.

The Jinja filters here are registered on every page environment (``install``); each reads the
viewer's language and zone from the page's context (``lang``, ``tz``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from starlette.requests import Request

from .. import schemes
from ..locale import join_zh
from ..locale import names as shared
from .words_text import MESSAGES

__all__ = [
    "DEFAULT_ZONE",
    "TZ_COOKIE",
    "field_label",
    "install",
    "local_time",
    "plain",
    "scheme_label",
    "source_label",
    "viewer_zone",
    "zone_named",
]

DEFAULT_ZONE = "Asia/Shanghai"
TZ_COOKIE = "qcert_tz"
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}")
_URN = "urn:qcert:scheme:"
# A national standard's number in a scheme's Chinese title ("GB/T 19001-2016 等同采用").
_NATIONAL = re.compile(r"GB(?:/T)? \d+(?:\.\d+)?-\d{4}")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh-CN" else pair[1]


# .. times ..................................................................


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone ``name`` (bounded, checked against the zone database), or None."""
    if not name or len(name) > 64 or not _ZONE_NAME.fullmatch(name):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def viewer_zone(request: Request) -> str:
    """The zone the viewer chose (a cookie set on the account page), else the installation's
    default (``QCERT_TIMEZONE``), else Asia/Shanghai."""
    chosen = request.cookies.get(TZ_COOKIE)
    if zone_named(chosen) is not None:
        return str(chosen)
    services = getattr(request.app.state, "services", None)
    configured = getattr(getattr(services, "settings", None), "timezone", None)
    return configured if zone_named(configured) is not None else DEFAULT_ZONE


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) > 10 and value[:4].isdigit():
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def local_time(value: Any, zone: str = DEFAULT_ZONE) -> str:
    """An instant as ``YYYY-MM-DD HH:MM:SS`` in ``zone`` with its UTC offset, to the second.

    Stored times are UTC (a naive one is read as UTC); a date, or anything that is not an
    instant, is shown as it is.
    """
    if value is None:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    instant = _instant(value)
    if instant is None:
        return str(value)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    here = instant.astimezone(zone_named(zone) or ZoneInfo(DEFAULT_ZONE))
    offset = here.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    hours = f"{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    return f"{here:%Y-%m-%d %H:%M:%S} UTC{sign}{hours}"


# .. schemes and sources ....................................................


def _designation(code: str, edition: str) -> str:
    # ISO and IEC write "ISO 9001:2015"; Chinese national standards "GB/T 19001-2016".
    return f"{code}-{edition}" if code.startswith("GB") else f"{code}:{edition}"


@cache
def scheme_label(scheme_id: str) -> str:
    """A scheme as people know it: its standard and the national standard adopting it
    ("ISO 9001:2015 / GB/T 19001-2016"); an unknown id without its URN prefix."""
    found = schemes.bundled().get(scheme_id)
    if found is None:
        return scheme_id.removeprefix(_URN)
    standard = found.standard
    names = [_designation(standard.code, standard.edition)]
    names += [n for n in _NATIONAL.findall(standard.title.zh) if n not in names]
    return " / ".join(names)


def source_label(source: str, lang: str) -> str:
    """A rule's source as the document people know: the standard's clause as cited, the
    platform's own input rules, or the scheme's certification rules."""
    if source == "qcert":
        return _pick(MESSAGES["source.qcert"], lang)
    if source.startswith("scheme rule"):
        rest = source.removeprefix("scheme rule").lstrip(": ")
        name = _pick(MESSAGES["source.scheme_rule"], lang)
        return (
            f"{name}（{rest}）"
            if rest and lang == "zh-CN"
            else (f"{name}: {rest}" if rest else name)
        )
    return source


# .. field ids and values in messages .......................................


@cache
def _names(lang: str) -> dict[str, str]:
    """Every id a message may carry, with the words for it in ``lang``."""
    out = {
        k.split(".", 1)[1]: _pick(v, lang)
        for k, v in shared.MESSAGES.items()
        if k[:6] in ("field.", "value.")
    }
    # Management-system schemes name shared stage ids ("surveillance") as auditors say them.
    ordered = sorted(
        schemes.bundled().values(), key=lambda s: (s.kind != "management-system", s.id)
    )
    for scheme in ordered:
        for stage in scheme.stages:
            out.setdefault(stage.id, _pick((stage.title.zh, stage.title.en), lang))
    return out


_TOKEN = re.compile(
    r"(?<![\w:./-])(urn:qcert:scheme:[\w:.-]*\w|[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*)(?![\w-])"
)


def plain(message: str, lang: str, worded: bool = False) -> str:
    """A refusal as people read it: scheme URNs become the standards' names and, in Chinese,
    field ids and code values (``planned_days``, ``stage1``) become their Chinese names.
    A ``worded`` message already names its fields and values in words where it was made
    (``qcert.locale.names``): an id left in it is one someone typed (an account ``lead``, an
    audit ``s1``) and stays as typed; only its scheme URNs are named."""
    names = _names(lang) if lang == "zh-CN" and not worded else {}

    def word(found: re.Match[str]) -> str:
        token = found[1]
        if token.startswith(_URN):
            return scheme_label(token)
        return names.get(token, token)

    if not names:
        return _TOKEN.sub(word, message)
    # A Chinese name put in for an id takes no space from a Chinese neighbour.
    pieces = _TOKEN.split(message)
    for i in range(1, len(pieces), 2):
        pieces[i] = word(_TOKEN.fullmatch(pieces[i]))  # type: ignore[arg-type]
    return join_zh(pieces)


def field_label(name: str, lang: str) -> str:
    """A field by the name its form gives it in ``lang``, or its id when it has none."""
    return shared.field_label(name, lang)


# .. the filters ............................................................


def install(env: jinja2.Environment) -> None:
    """Register the filters on a page environment: ``when``, ``scheme``, ``source``, ``plain``,
    ``field``, ``label`` (a label and its colon as the language writes it)."""

    @jinja2.pass_context
    def when(ctx: jinja2.runtime.Context, value: Any) -> str:
        return local_time(value, ctx.get("tz") or DEFAULT_ZONE)

    @jinja2.pass_context
    def source(ctx: jinja2.runtime.Context, value: str) -> str:
        return source_label(str(value), ctx.get("lang") or "zh-CN")

    @jinja2.pass_context
    def plain_filter(ctx: jinja2.runtime.Context, value: str, worded: bool = False) -> str:
        return plain(str(value), ctx.get("lang") or "zh-CN", worded)

    @jinja2.pass_context
    def field(ctx: jinja2.runtime.Context, value: str) -> str:
        return field_label(str(value), ctx.get("lang") or "zh-CN")

    @jinja2.pass_context
    def label(ctx: jinja2.runtime.Context, value: str) -> str:
        # A label before its value: Chinese takes the full-width colon, with no space after.
        return f"{value}：" if (ctx.get("lang") or "zh-CN") == "zh-CN" else f"{value}: "

    env.filters |= {
        "when": when,
        "field": field,
        "scheme": lambda value: scheme_label(str(value)),
        "source": source,
        "plain": plain_filter,
        "label": label,
    }
