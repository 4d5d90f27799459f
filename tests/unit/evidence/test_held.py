"""What an intake holds of its unanchored windows: per device and window, in sequence order,
or marked to be read from the store; the root it works out is the window's tree's root."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from qcert.evidence.held import CHUNK, HeldWindow, HeldWindows
from qcert.evidence.window import window_root

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
    assert window.root() == window_root([_leaf(s) for s in range(5)])
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


def test_past_its_limit_no_new_window_is_held():
    held = HeldWindows(W, limit=2)
    _add(held, "d1", [0, 1], [0, 1])
    _add(held, "d2", [0], [0])
    _add(held, "d3", [0], [0])  # a third window: read from the store when due
    _add(held, "d1", [2, 3], [2, 3])  # a window already held goes on growing
    assert held.window_of("d3", 0) is None
    assert held.window_of("d1", 0).count == 4
    assert (held.held, held.count) == (5, 2)
    held.drop_until("d2", W)  # one anchored makes room for another
    _add(held, "d3", [1], [W])
    assert held.window_of("d3", W) is not None
    assert held.count == 2


def test_a_window_out_of_order_gives_up_its_place():
    held = HeldWindows(W, limit=1)
    _add(held, "d1", [5, 4], [0, 1])
    _add(held, "d2", [0], [0])
    assert held.window_of("d2", 0) is not None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 3 * CHUNK + 7), min_size=1, max_size=6))
def test_the_root_held_is_the_trees_root_however_the_leaves_arrive(batches):
    # Batch sizes cross CHUNK boundaries anywhere, so subtrees are folded mid-batch, several
    # at once, and left with a tail of any length.
    window, leaves = HeldWindow(), []
    for size in batches:
        new = [_leaf(len(leaves) + i) for i in range(size)]
        window.extend(b"".join(new))
        leaves += new
        assert window.count == len(leaves)
        assert window.root() == window_root(leaves)
    assert len(window.tail) < CHUNK * 32  # what stays unfolded is bounded
    assert window.sizes == sorted(set(window.sizes), reverse=True)  # one subtree a size


def test_a_window_of_exactly_whole_chunks_has_no_tail():
    window = HeldWindow()
    leaves = [_leaf(i) for i in range(3 * CHUNK)]
    window.extend(b"".join(leaves))
    assert window.tail == bytearray()
    assert window.sizes == [2 * CHUNK, CHUNK]
    assert window.root() == window_root(leaves)
