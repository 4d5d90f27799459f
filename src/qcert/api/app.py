"""FastAPI application: public ledger endpoints (checkpoints, proofs, keys, entries)."""

from __future__ import annotations

import base64
from enum import StrEnum
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel

from .. import __version__
from ..bootstrap import open_ledger
from ..config import Settings
from ..errors import QcertError
from ..ledger import IndexOutOfRange, Ledger, LedgerError, suite_by_name

__all__ = ["create_app", "serve"]


class Suite(StrEnum):
    sha256 = "sha256"
    sm3 = "sm3"


class KeysRead(BaseModel):
    origin: str
    vkeys: list[str]


class RootRead(BaseModel):
    size: int
    root: str


class ConsistencyRead(BaseModel):
    suite: str
    old: RootRead
    new: RootRead
    proof: list[str]


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def create_app(ledger: Ledger) -> FastAPI:
    """The API over ``ledger``."""
    app = FastAPI(title="qcert", version=__version__, description="qcert ledger API / 账本接口")

    @app.exception_handler(IndexOutOfRange)
    async def _not_found(_: Request, err: IndexOutOfRange) -> JSONResponse:
        return _error(404, "out_of_range", str(err))

    @app.exception_handler(LedgerError)
    async def _ledger(_: Request, err: LedgerError) -> JSONResponse:
        return _error(400, "ledger", str(err))

    @app.exception_handler(QcertError)
    async def _qcert(_: Request, err: QcertError) -> JSONResponse:
        return _error(err.status, "qcert", str(err))

    @app.get("/", response_class=PlainTextResponse)
    def index() -> str:
        size = ledger.size()
        return f"qcert {__version__}: ledger {ledger.origin}, size {size}; API docs at /docs\n"

    @app.get("/ledger/checkpoint", response_class=PlainTextResponse)
    def checkpoint(suite: Suite = Suite.sha256) -> str:
        """The latest signed checkpoint (C2SP tlog-checkpoint)."""
        return ledger.checkpoint(suite_by_name(suite.value))

    @app.get("/ledger/keys")
    def keys() -> KeysRead:
        """The verifier keys that sign this log's checkpoints."""
        return KeysRead(origin=ledger.origin, vkeys=[v.vkey() for v in ledger.verifiers()])

    @app.get("/ledger/proof/{index}", response_class=PlainTextResponse)
    def proof(
        index: int,
        size: Annotated[int | None, Query(ge=1)] = None,
        suite: Suite = Suite.sha256,
    ) -> str:
        """A C2SP tlog-proof@v1 bundle for entry ``index``."""
        return ledger.prove(index, size, suite_by_name(suite.value))

    @app.get("/ledger/consistency")
    def consistency(
        old: Annotated[int, Query(ge=1)],
        new: Annotated[int, Query(ge=1)],
        suite: Suite = Suite.sha256,
    ) -> ConsistencyRead:
        """RFC 9162 consistency proof from tree size ``old`` to ``new``."""
        p = ledger.consistency(old, new, suite_by_name(suite.value))
        b64 = lambda h: base64.b64encode(h).decode()  # noqa: E731
        return ConsistencyRead(
            suite=p.suite,
            old=RootRead(size=old, root=b64(p.old_root)),
            new=RootRead(size=new, root=b64(p.new_root)),
            proof=[b64(h) for h in p.hashes],
        )

    @app.get("/ledger/entries/{index}")
    def entry(index: int) -> Response:
        """The raw bytes of entry ``index``."""
        return Response(ledger.entry(index), media_type="application/octet-stream")

    return app


def serve(settings: Settings, host: str, port: int) -> None:
    """Run the API with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(open_ledger(settings)), host=host, port=port, log_level="warning")
