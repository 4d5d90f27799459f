"""A reading's proof, assembled from the store and the ledger (verified by :mod:`.window`)."""

from __future__ import annotations

import base64
from typing import Any

from ..errors import QcertError
from .window import FORMAT, window_inclusion

__all__ = ["NotAnchored", "ReadingNotFound", "proof_of_reading"]


class ReadingNotFound(QcertError):
    """No such reading of that device."""

    status = 404


class NotAnchored(QcertError):
    """The reading's window is not anchored yet (or its checkpoint not signed yet)."""

    status = 409


def proof_of_reading(engine: Any, ledger: Any, device_id: str, seq: int) -> dict[str, Any]:
    """The proof document of reading ``seq`` of ``device_id``: its canonical bytes, its audit
    path in its window's tree, the window's anchoring event (the ledger entry's bytes, base64)
    and that entry's tlog-proof bundle under the newest signed checkpoint, with the log's
    verifier keys. ReadingNotFound, or NotAnchored while its window is still open."""
    from ..ledger import LedgerError
    from ..store import evidence as store

    with engine.connect() as conn:
        found = store.proof_material(conn, device_id, seq)
    if found is None:
        raise ReadingNotFound(f"{device_id}: no reading {seq}")
    if found["window"] is None:
        raise NotAnchored(
            f"{device_id} {seq}: its window is not anchored yet; a window is anchored once "
            "its device has sent a reading past its end plus the grace, or has been silent "
            "for the idle allowance after its end"
        )
    index = found["window"]["ledger_index"]
    try:
        bundle = ledger.prove_signed(index)
    except LedgerError as err:
        raise NotAnchored(f"{device_id} {seq}: {err}") from None
    return {
        "format": FORMAT,
        "reading": found["reading"],
        "window": {
            "index": found["index"],
            "hashes": [h.hex() for h in window_inclusion(found["leaves"], found["index"])],
        },
        "entry_index": index,
        "entry": base64.b64encode(ledger.entry(index)).decode(),
        "bundle": bundle,
        "vkeys": [v.vkey() for v in ledger.verifiers()],
    }
