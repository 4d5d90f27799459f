"""What a photo says of itself: its size in pixels and, from its EXIF metadata, where and when
it was taken (CIPA DC-008 Exif 2.32: the GPS IFD, DateTimeOriginal and OffsetTimeOriginal).

Only the image's header and metadata are read, never its pixels, and an image whose declared
size is over MAX_PHOTO_PIXELS is refused before anything else: a small file declaring an
enormous image (a "decompression bomb") costs nothing here.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .aggregate import invalid

__all__ = ["MAX_PHOTO_PIXELS", "PhotoFacts", "photo_facts"]

# 50 megapixels: more than any phone's default photo (12-50 MP), far below what would strain
# the server if something ever decoded it (Pillow's own bomb warning starts at ~89 MP).
MAX_PHOTO_PIXELS = 50_000_000
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATE_TIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4
_GPS_TIME, _GPS_DATE = 7, 29
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


@dataclass(frozen=True)
class PhotoFacts:
    """A photo's width and height (pixels) and, when its metadata says, when it was taken
    (ISO 8601; with its UTC offset when the camera gave one) and where (WGS 84 degrees)."""

    width: int
    height: int
    taken_at: str | None = None
    lat: float | None = None
    lon: float | None = None


def photo_facts(data: bytes, max_pixels: int = MAX_PHOTO_PIXELS) -> PhotoFacts:
    """The facts of a JPEG or PNG photo; ``input.invalid`` on ``file`` when it is not one
    Pillow can read or declares more than ``max_pixels`` pixels."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG"))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _not_a_photo() from None
    except (OSError, SyntaxError, ValueError):
        raise _not_a_photo() from None
    with image:
        width, height = image.size
        if width <= 0 or height <= 0:
            raise _not_a_photo()
        if width * height > max_pixels:
            raise invalid(
                "file", "photo.too_large", width=width, height=height, max_pixels=max_pixels
            )
        try:
            exif = image.getexif()
            gps = dict(exif.get_ifd(_GPS_IFD))
            taken = dict(exif.get_ifd(_EXIF_IFD))
        except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError):
            return PhotoFacts(width, height)  # unreadable metadata: the photo, without its facts
    lat, lon = _position(gps)
    return PhotoFacts(width, height, _gps_time(gps) or _camera_time(taken), lat, lon)


def _not_a_photo() -> Exception:
    return invalid("file", "photo.type")


def _degrees(value: Any, ref: Any) -> float | None:
    """Degrees from EXIF's (degrees, minutes, seconds) rationals and its N/S/E/W reference."""
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if not math.isfinite(degrees):
        return None
    if str(ref).strip().upper() in ("S", "W"):
        degrees = -degrees
    return round(degrees, 7)


def _position(gps: dict[int, Any]) -> tuple[float | None, float | None]:
    lat = _degrees(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF))
    lon = _degrees(gps.get(_GPS_LON), gps.get(_GPS_LON_REF))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _gps_time(gps: dict[int, Any]) -> str | None:
    """The GPS date and time stamp: UTC by the Exif standard."""
    try:
        day = datetime.strptime(str(gps[_GPS_DATE]).strip(), "%Y:%m:%d")
        h, m, s = (float(part) for part in gps[_GPS_TIME])
        at = day.replace(tzinfo=UTC) + timedelta(hours=h, minutes=m, seconds=int(s))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return at.isoformat().replace("+00:00", "Z")


def _camera_time(exif: dict[int, Any]) -> str | None:
    """DateTimeOriginal, with OffsetTimeOriginal when the camera recorded it (else the
    camera's local time, as it was written)."""
    try:
        at = datetime.strptime(str(exif[_DATE_TIME_ORIGINAL]).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except (KeyError, ValueError):
        return None
    found = _OFFSET.fullmatch(str(exif.get(_OFFSET_TIME_ORIGINAL, "")).strip("\x00 "))
    if found is None:
        return at.isoformat()
    sign = -1 if found[1] == "-" else 1
    offset = timedelta(hours=int(found[2]), minutes=int(found[3]))
    if offset >= timedelta(hours=24):
        return at.isoformat()
    return at.replace(tzinfo=timezone(sign * offset)).isoformat()
