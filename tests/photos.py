"""Photos made in the tests with Pillow: a small JPEG with or without EXIF time and GPS
position, and a PNG whose header declares an enormous image (a decompression bomb)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

# CIPA DC-008 (Exif 2.32) tag numbers.
EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def jpeg(
    lat: float | None = None,
    lon: float | None = None,
    gps_time: tuple[str, tuple[float, float, float]] | None = None,
    camera_time: str | None = None,
    offset: str | None = None,
    size: tuple[int, int] = (64, 48),
    colour: tuple[int, int, int] = (200, 30, 30),
) -> bytes:
    """A JPEG whose EXIF holds the position (degrees; south and west negative), the GPS date
    and time (``("YYYY:MM:DD", (h, m, s))``, UTC) and the camera's time and UTC offset."""
    exif = Image.Exif()
    if lat is not None and lon is not None:
        gps = exif.get_ifd(GPS_IFD)
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(abs(lat))
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(abs(lon))
        if gps_time is not None:
            gps[29], gps[7] = gps_time[0], gps_time[1]
    if camera_time is not None:
        ifd = exif.get_ifd(EXIF_IFD)
        ifd[0x9003] = camera_time
        if offset is not None:
            ifd[0x9011] = offset
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _dms(degrees: float) -> tuple[float, float, float]:
    d = int(degrees)
    m = int((degrees - d) * 60)
    s = round((degrees - d - m / 60) * 3600, 4)
    return float(d), float(m), s


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes of PNG whose header declares ``width`` x ``height`` pixels."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    # IHDR is the first chunk: length (4), type (4), width (4), height (4), 5 bytes, CRC (4).
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)
