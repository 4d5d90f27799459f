"""The period of a quality examination: a bare day is that day where its reader lives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qcert.examinations import WindowInvalid, window

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_a_bare_day_is_that_whole_day_in_the_configured_zone():
    begin, stop = window("2026-01-01", "2026-01-31", NOW, "Asia/Shanghai")
    # Midnight in Beijing is 16:00 UTC the evening before; the end is exclusive.
    assert begin == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert stop == datetime(2026, 1, 31, 16, tzinfo=UTC)


def test_the_zone_defaults_to_the_platforms_and_follows_another_one():
    assert window("2026-01-01", None, datetime(2026, 1, 5, tzinfo=UTC))[0] == datetime(
        2025, 12, 31, 16, tzinfo=UTC
    )
    begin, stop = window("2026-01-01", "2026-01-01", NOW, "Europe/London")
    assert (begin, stop) == (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))


def test_a_day_a_clock_change_shortens_is_examined_to_its_real_end():
    begin, stop = window("2026-03-29", "2026-03-29", NOW, "Europe/Berlin")
    assert stop - begin == datetime(2026, 1, 1, 23, tzinfo=UTC) - datetime(2026, 1, 1, tzinfo=UTC)


def test_an_instant_keeps_its_own_offset():
    begin, stop = window("2026-01-01T00:00:00Z", "2026-01-02T08:00:00+08:00", NOW)
    assert (begin, stop) == (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))


def test_one_day_from_and_to_is_a_period_not_a_reversed_one():
    begin, stop = window("2026-01-05", "2026-01-05", NOW)
    assert begin < stop


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("0001-01-01", "0001-01-31", "from"), ("2026-02-01", "2026-01-01", "from")],
)
def test_a_day_before_the_calendar_or_a_reversed_period_is_refused(start, end, field):
    with pytest.raises(WindowInvalid) as refused:
        window(start, end, NOW, "Asia/Shanghai")
    assert refused.value.field == field


def test_the_last_day_of_the_calendar_ends_where_utc_allows():
    begin, stop = window("9999-12-30", "9999-12-31", NOW, "Asia/Shanghai")
    assert stop == datetime(9999, 12, 31, 16, tzinfo=UTC) and begin < stop
