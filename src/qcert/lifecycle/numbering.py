"""Certificate numbers as a body's numbering rule forms them, so the decision maker picks the
next one instead of typing it.

The rule is the one the bodies of this installation (and its demo) number their management
system certificates by, in the manner Chinese bodies commonly do: the body's code (the last
three digits of its CNCA approval number, 批准号), the two-digit year of the decision, the
scheme's code, a four-digit serial within that body, year and scheme, ``R`` and how many
times the certificate was renewed (0 at the grant), and the organisation's size (S under 50
people, M under 1,000, L beyond): ``00126Q30001R0M``. No national standard fixes this layout;
what every number must be is unique, and the certificate table's key guards that when two
decisions take the same number at once (the second is refused).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["SCHEME_CODES", "next_number", "number_prefix", "serial_of", "size_code"]

# The code of each bundled scheme's certification kind in its certificates' numbers.
SCHEME_CODES = {
    "iso9001": "Q3",
    "iso14001": "E2",
    "iso45001": "S2",
    "iso27001": "I2",
    "service": "SV",
    "product": "P1",
    "smart-manufacturing": "ZN",
    "data-security": "DS",
    "carbon-footprint": "CF",
    "water-efficiency": "WE",
}
_SERIAL = re.compile(r"(\d{4,})R\d+[SML]")


def size_code(personnel: int) -> str:
    """S, M or L: the organisation's size as the number marks it."""
    return "S" if personnel < 50 else "M" if personnel < 1000 else "L"


def _short(scheme_id: str) -> str:
    """``iso9001`` of ``urn:qcert:scheme:iso9001:2015`` (a short id stays as it is)."""
    parts = scheme_id.split(":")
    return parts[3] if len(parts) > 3 else scheme_id


def number_prefix(approval_no: str, year: int, scheme_id: str) -> str | None:
    """Body code, year and scheme code; None when the body's approval number ends in no three
    digits or the scheme has no code (the number is then typed)."""
    digits = re.search(r"(\d{3})$", approval_no.strip())
    code = SCHEME_CODES.get(_short(scheme_id))
    if digits is None or code is None:
        return None
    return f"{digits[1]}{year % 100:02d}{code}"


def serial_of(number: str, prefix: str) -> int | None:
    """The serial in ``number`` when it follows the rule after ``prefix``, else None."""
    if not number.startswith(prefix):
        return None
    found = _SERIAL.fullmatch(number[len(prefix) :])
    return int(found[1]) if found else None


def next_number(prefix: str, taken: Iterable[str], personnel: int) -> str:
    """The number after the highest serial ``taken`` under ``prefix``, for a grant (R0)."""
    serials = [s for s in (serial_of(n, prefix) for n in taken) if s is not None]
    return f"{prefix}{max(serials, default=0) + 1:04d}R0{size_code(personnel)}"
