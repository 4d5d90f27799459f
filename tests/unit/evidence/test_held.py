"""The leaves an intake holds of its unanchored windows: per device and window, in sequence
order, or marked to be read from the store; their tree is the window's tree."""

from __future__ import annotations

import hashlib

from qcert.evidence.held import HeldWindows
from qcert.evidence.window import packed_window_root, window_root

W = 10_000_000  # a 10 s window, µs


def _leaf(seq: int) -> bytes:
    return hashlib.sha256(b"\x00" + str(seq).encode()).digest()


def _add(held: HeldWindows, device: str, seqs: list[int], times: list[int]) -> None:
    held.add(device, seqs, times, [_leaf(s) for s in seqs])


def test_readings_committed_in_order_make_their_windows_tree():
    held = HeldWindows(W)
    _add(held, "d1", [0, 1, 2], [0, 1, 2])
    _add(held, "d1", [3, 4], [5, 9_999_999])
    window = held.window_of("d1", 0)
    assert window is not None
    assert (window.count, window.first_seq, window.last_seq) == (5, 0, 4)
    assert bytes(window.leaves) == b"".join(_leaf(s) for s in range(5))
    assert packed_window_root(window.leaves) == window_root([_leaf(s) for s in range(5)])
    assert held.held == 5
    assert held.window_of("d2", 0) is None  # another device's are its own


def test_a_message_across_a_window_boundary_is_split_by_time():
    held = HeldWindows(W)
    _add(held, "d1", [7, 8, 9], [W - 1, W, 2 * W + 5])
    assert [held.window_of("d1", s).first_seq for s in (0, W, 2 * W)] == [7, 8, 9]
    assert held.held == 3


def test_a_window_whose_readings_come_out_of_order_is_left_to_the_store():
    held = HeldWindows(W)
    _add(held, "d1", [5, 6], [0, 1])
    _add(held, "d1", [3], [2])  # an earlier seq after later ones
    assert held.window_of("d1", 0) is None
    assert held.held == 0  # its leaves are let go
    _add(held, "d1", [9], [3])  # and it stays with the store
    assert held.window_of("d1", 0) is None
    _add(held, "d1", [2, 1], [W, W + 1])  # out of order within one message
    assert held.window_of("d1", W) is None


def test_anchored_windows_are_forgotten():
    held = HeldWindows(W)
    _add(held, "d1", [0, 1], [0, W])
    held.drop_until("d1", W)  # anchored up to the end of the first window
    assert held.window_of("d1", 0) is None
    assert held.window_of("d1", W) is not None
    assert held.held == 1
    held.drop_until("nobody", W)  # a device with nothing held
    held.drop_until("d1", 2 * W)
    assert held.held == 0 and held.windows["d1"] == {}


def test_past_its_limit_nothing_more_is_held():
    held = HeldWindows(W, limit=3)
    _add(held, "d1", [0, 1], [0, 1])
    _add(held, "d1", [2, 3], [2, 3])  # would pass the limit: the window goes to the store
    assert held.window_of("d1", 0) is None
    assert held.held == 0
    _add(held, "d2", [0, 1, 2], [0, 1, 2])
    _add(held, "d3", [0], [0])  # a new window past the limit is not held at all
    assert held.window_of("d2", 0) is not None
    assert held.window_of("d3", 0) is None
    assert held.held == 3
