"""A photo's facts from its EXIF metadata, and images too large to be photos refused unread."""

from __future__ import annotations

import pytest

from qcert.lifecycle.photos import MAX_PHOTO_PIXELS, photo_facts
from qcert.schemes import RuleViolation
from tests.photos import jpeg, png_bomb


def test_the_position_and_gps_time_come_from_the_exif():
    data = jpeg(31.2304, 121.4737, ("2026:12:05", (2.0, 30.0, 15.0)), "2026:12:05 10:30:15")
    facts = photo_facts(data)
    assert (facts.width, facts.height) == (64, 48)
    assert facts.lat == pytest.approx(31.2304, abs=1e-6)
    assert facts.lon == pytest.approx(121.4737, abs=1e-6)
    assert facts.taken_at == "2026-12-05T02:30:15Z"  # GPS time is UTC (Exif 2.32)


def test_south_and_west_are_negative():
    facts = photo_facts(jpeg(-33.8688, -70.6693))
    assert facts.lat == pytest.approx(-33.8688, abs=1e-6)
    assert facts.lon == pytest.approx(-70.6693, abs=1e-6)
    assert facts.taken_at is None


def test_the_camera_time_keeps_its_offset_or_stays_as_written():
    with_offset = photo_facts(jpeg(camera_time="2026:12:05 18:30:15", offset="+08:00"))
    assert with_offset.taken_at == "2026-12-05T18:30:15+08:00"
    assert (with_offset.lat, with_offset.lon) == (None, None)
    bare = photo_facts(jpeg(camera_time="2026:12:05 18:30:15"))
    assert bare.taken_at == "2026-12-05T18:30:15"


def test_a_photo_without_metadata_has_only_its_size():
    facts = photo_facts(jpeg(size=(30, 20)))
    assert (facts.width, facts.height, facts.taken_at, facts.lat) == (30, 20, None, None)


def test_an_image_over_the_pixel_limit_is_refused_unread():
    bomb = png_bomb()
    assert len(bomb) < 200  # a tiny file declaring 10^10 pixels
    with pytest.raises(RuleViolation) as refused:
        photo_facts(bomb)
    assert refused.value.rule == "input.invalid" and "file" in refused.value.en
    just_over = png_bomb(MAX_PHOTO_PIXELS // 1000 + 1, 1000)
    with pytest.raises(RuleViolation, match="at most 50000000 pixels"):
        photo_facts(just_over)
    assert photo_facts(png_bomb(MAX_PHOTO_PIXELS // 1000, 1000)).width == 50_000


@pytest.mark.parametrize("data", [b"%PDF-1.4\n", b"\xff\xd8\xff\xe0 broken", b"", b"GIF89a"])
def test_what_is_not_a_jpeg_or_png_is_refused(data):
    with pytest.raises(RuleViolation) as refused:
        photo_facts(data)
    assert "JPEG or PNG" in refused.value.en and "JPEG 或 PNG" in refused.value.zh
