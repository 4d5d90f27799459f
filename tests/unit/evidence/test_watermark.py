"""When a device's windows are due for anchoring: by the device's own time (its newest reading
past a window's end plus the grace), or by the clock once the idle allowance has passed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qcert.evidence.model import due_until

S = 1_000_000  # µs
WINDOW, GRACE, IDLE = 60 * S, 10 * S, 300 * S
T0 = 1_780_000_020 * S  # a whole minute


def test_a_window_is_due_once_the_device_sends_past_its_end_plus_the_grace():
    assert due_until(T0 + 69 * S, T0 + 69 * S, WINDOW, GRACE, IDLE) <= T0
    assert due_until(T0 + 70 * S, T0 + 70 * S, WINDOW, GRACE, IDLE) == T0 + 60 * S


def test_the_clock_alone_makes_a_window_due_only_after_the_idle_allowance():
    # the device's newest reading is inside the window; the clock is well past end + grace
    assert due_until(T0 + 30 * S, T0 + 359 * S, WINDOW, GRACE, IDLE) == T0
    assert due_until(T0 + 30 * S, T0 + 360 * S, WINDOW, GRACE, IDLE) == T0 + 60 * S


@given(
    latest=st.integers(0, 10**6),
    now=st.integers(0, 10**6),
    window=st.integers(1, 3_600),
    grace=st.integers(0, 3_600),
    idle=st.integers(0, 86_400),
)
def test_a_due_window_has_the_device_or_the_clock_past_it(latest, now, window, grace, idle):
    cutoff = due_until(T0 + latest * S, T0 + now * S, window * S, grace * S, idle * S)
    assert cutoff % (window * S) == 0  # a window boundary
    # every window ending at the cutoff: the device sent past end + grace, or the clock is
    # past end + idle; the next window is neither
    assert cutoff + grace * S <= T0 + latest * S or cutoff + idle * S <= T0 + now * S
    after = cutoff + window * S
    assert after + grace * S > T0 + latest * S and after + idle * S > T0 + now * S
