"""The public ledger: checkpoints, verifier keys, proofs, entries, and bodies' DID documents.

Checkpoints are signed by the server's own schedule (:mod:`qcert.schedule`): these routes
only read what is signed, so no request makes the server sign. An entry's bytes are served
to those the access policy lets read them; its proofs are everyone's.
"""

from __future__ import annotations

import base64
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel

from .. import __version__
from ..access import READ_ENTRY, decide
from ..credentials.did import did_document, did_web
from ..errors import Unavailable
from ..ledger import suite_by_name
from ..lifecycle.inputs import Id
from ..store import views
from ..store.entries import entry_owner
from .deps import Caller, Svc, guard
from .errors import errors
from .queries import NotFound

__all__ = ["router"]

router = APIRouter(tags=["ledger"], dependencies=[Depends(guard)], responses=errors(400, 413, 422))

# Leaf indices and tree sizes fit a signed 64-bit integer (what the database stores).
Index = Annotated[int, Path(ge=0, le=2**62, description="Zero-based entry index")]
Size = Annotated[int, Query(ge=1, le=2**62, description="Tree size")]


class Suite(StrEnum):
    sha256 = "sha256"
    sm3 = "sm3"


class WitnessKeyRead(BaseModel):
    name: str
    vkey: str


class KeysRead(BaseModel):
    origin: str
    vkeys: list[str]
    witnesses: list[WitnessKeyRead] = []
    quorum: int = 0


class RootRead(BaseModel):
    size: int
    root: str


class ConsistencyRead(BaseModel):
    suite: str
    old: RootRead
    new: RootRead
    proof: list[str]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@router.get("/", response_class=PlainTextResponse)
def index(svc: Svc) -> str:
    """What this is, and where its API documentation is."""
    ledger = svc.ledger
    return f"qcert {__version__}: ledger {ledger.origin}, size {ledger.size()}; API docs at /docs\n"


@router.get("/ledger/checkpoint", response_class=PlainTextResponse, responses=errors(404))
def checkpoint(svc: Svc, suite: Suite = Suite.sha256) -> str:
    """The newest signed checkpoint (C2SP tlog-checkpoint); signed every few seconds after
    entries are appended."""
    return svc.ledger.signed(suite_by_name(suite.value))


@router.get("/ledger/keys")
def keys(svc: Svc) -> KeysRead:
    """The verifier keys that sign this log's checkpoints, and the witnesses whose
    cosignatures it publishes them with (``quorum`` of them at least)."""
    ledger = svc.ledger
    return KeysRead(
        origin=ledger.origin,
        vkeys=[v.vkey() for v in ledger.verifiers()],
        witnesses=[WitnessKeyRead(name=w.name, vkey=w.key.vkey()) for w in svc.policy.witnesses],
        quorum=ledger.quorum,
    )


@router.get("/ledger/proof/{index}", response_class=PlainTextResponse, responses=errors(404))
def proof(svc: Svc, index: Index, size: Size | None = None, suite: Suite = Suite.sha256) -> str:
    """A C2SP tlog-proof@v1 bundle for entry ``index`` in the newest signed checkpoint, or in
    the signed checkpoint of exactly ``size`` (404 when there is none of that size)."""
    return svc.ledger.prove_signed(index, size, suite_by_name(suite.value))


@router.get("/ledger/consistency", responses=errors(404))
def consistency(svc: Svc, old: Size, new: Size, suite: Suite = Suite.sha256) -> ConsistencyRead:
    """RFC 9162 consistency proof from tree size ``old`` to ``new`` (both signed sizes)."""
    hashes = suite_by_name(suite.value)
    ledger = svc.ledger
    ledger.signed(hashes, old), ledger.signed(hashes, new)  # only sizes that were published
    p = ledger.consistency(old, new, hashes)
    return ConsistencyRead(
        suite=p.suite,
        old=RootRead(size=old, root=_b64(p.old_root)),
        new=RootRead(size=new, root=_b64(p.new_root)),
        proof=[_b64(h) for h in p.hashes],
    )


@router.get("/ledger/entries/{index}", response_class=Response, responses=errors(401, 403, 404))
def entry(svc: Svc, who: Caller, index: Index) -> Response:
    """The bytes of entry ``index``: status lists and credentials of public certificates to
    anyone; an event, or a confidential organisation's credential, to those who may read its
    record (its proofs stay public, so a holder can prove what they hold)."""
    data = svc.ledger.entry(index)
    with svc.engine.connect() as conn:
        decide(who, READ_ENTRY, entry_owner(conn, index))
    return Response(data, media_type="application/octet-stream")


@router.get("/bodies/{body_id}/did.json", responses=errors(404, 503))
def body_did(svc: Svc, body_id: Id) -> dict[str, Any]:
    """A certification body's DID document (did:web on the configured public host), with
    every key it published."""
    host = svc.public_host
    if not host:
        raise Unavailable("no public host is configured, so bodies have no did:web")
    with svc.engine.connect() as conn:
        found = views.body_keys(conn, body_id)
    if found is None:
        raise NotFound(f"no body {body_id!r}")
    return did_document(did_web(host, body_id), found)
