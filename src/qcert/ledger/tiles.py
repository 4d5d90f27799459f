"""Hash tiles: how the tree's hashes are grouped for storage (C2SP tlog-tiles layout).

A tile at tile level ``L`` and index ``t`` holds up to 256 consecutive hashes of
tree height ``8 * L``, positions ``[256 t, 256 t + 256)``: its *row*. Level-0
tiles hold the leaf hashes. A full tile's subtree root is one hash of the tile
above. Beyond C2SP's layout, a full tile also stores its 255 interior hashes
(the rows of heights ``8 L + 1 .. 8 L + 8``, bottom up), so any perfect node
of a full tile is read, not computed; only the right edge's partial tiles are
hashed on demand. Proofs read O(log n) tiles; appends rewrite at most one
partial tile per level.

Everything here is pure: storage hands tiles in and writes tiles out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .hashing import HashSuite
from .tree import NodeId

__all__ = [
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "TileId",
    "TileWrite",
    "full_tile",
    "integrate",
    "is_full",
    "node_from_tiles",
    "partial_tiles",
    "tile_for_node",
    "tiles_for_nodes",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
_FULL_HASHES = 2 * TILE_WIDTH - 1

TileId = tuple[int, int]


def full_tile(suite: HashSuite, row: bytes) -> bytes:
    """A full tile's stored form: its 256-hash row, then its 255 interior hashes."""
    return row + suite.perfect_levels(row)


def is_full(suite: HashSuite, tile: bytes) -> bool:
    """True when ``tile`` is a full tile with its interior."""
    return len(tile) == _FULL_HASHES * suite.size


@dataclass(frozen=True)
class TileWrite:
    """A tile's new content; ``existed`` tells storage to update rather than insert."""

    tile: TileId
    hashes: bytes
    existed: bool


def tile_for_node(node: NodeId) -> tuple[TileId, int, int]:
    """The tile holding the bottom row of perfect node ``(height, index)``.

    Returns ``(tile, offset, count)``: the node is the root of ``count`` hashes
    starting at ``offset`` in that tile.
    """
    height, index = node
    level, rest = divmod(height, TILE_HEIGHT)
    first = index << rest
    return (level, first >> TILE_HEIGHT), first & (TILE_WIDTH - 1), 1 << rest


def tiles_for_nodes(nodes: Iterable[NodeId]) -> set[TileId]:
    """Every tile needed to compute ``nodes``."""
    return {tile_for_node(n)[0] for n in nodes}


def node_from_tiles(suite: HashSuite, node: NodeId, tiles: Mapping[TileId, bytes]) -> bytes | None:
    """Hash of perfect node ``node``, or None when its tile does not hold it yet."""
    tile, offset, count = tile_for_node(node)
    data = tiles.get(tile)
    size = suite.size
    if data is None or len(data) < (offset + count) * size:
        return None
    if count > 1 and is_full(suite, data):
        # Interior row of in-tile height r starts at hash 512 - 512 / 2^r.
        r = count.bit_length() - 1
        at = 2 * TILE_WIDTH - (2 * TILE_WIDTH >> r) + (offset >> r)
        return data[at * size : (at + 1) * size]
    return suite.perfect_root(data[offset * size : (offset + count) * size])


def partial_tiles(size: int) -> list[TileId]:
    """Tiles that are partly filled in a tree of ``size`` leaves, bottom up."""
    out: list[TileId] = []
    level, count = 0, size
    while count:
        if count % TILE_WIDTH:
            out.append((level, count // TILE_WIDTH))
        level, count = level + 1, count // TILE_WIDTH
    return out


def integrate(
    suite: HashSuite,
    old_size: int,
    leaf_hashes: bytes,
    partials: Mapping[TileId, bytes],
) -> list[TileWrite]:
    """Tiles to write when leaves (concatenated hashes) join a tree of ``old_size``.

    ``partials`` holds the current content of ``partial_tiles(old_size)``.
    """
    size = suite.size
    writes: list[TileWrite] = []
    level, start, new = 0, old_size, leaf_hashes
    while new:
        first = start // TILE_WIDTH
        carried = start % TILE_WIDTH
        head = partials.get((level, first), b"") if carried else b""
        if len(head) != carried * size:
            raise ValueError(
                f"tile {level}/{first} holds {len(head) // size} hashes, not {carried}"
            )
        data = head + new
        span = TILE_WIDTH * size
        completed = []
        for i in range(0, len(data), span):
            chunk = data[i : i + span]
            if len(chunk) == span:
                chunk = full_tile(suite, chunk)
                completed.append(chunk[-size:])
            tile = (level, first + i // span)
            writes.append(TileWrite(tile, chunk, existed=bool(carried) and i == 0))
        level, start, new = level + 1, first, b"".join(completed)
    return writes
