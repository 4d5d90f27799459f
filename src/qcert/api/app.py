"""FastAPI application: public ledger endpoints (checkpoints, proofs, keys, entries)."""

from __future__ import annotations

import base64
import logging
import secrets
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel

from .. import __version__
from ..bootstrap import open_ledger
from ..config import Settings
from ..credentials.did import did_document, did_web
from ..credentials.keystore import KeyStore
from ..errors import QcertError
from ..ledger import IndexOutOfRange, Ledger, LedgerError, suite_by_name
from ..schemes import RuleViolation, SchemeError
from ..security import SignInLimiter, TokenSigner
from ..store import tables
from ..store.documents import DocumentStore
from ..store.replay import is_event_document
from ..web import router as pages_router
from ..web.site import install as install_workspace
from .answers import AnswerCache, store_version
from .auth import router as auth_router
from .commands import router as commands_router
from .exchange import router as exchange_router
from .principal import Forbidden
from .public import router as public_router
from .queries import NotFound
from .queries import router as queries_router
from .status import router as status_router

__all__ = ["create_app", "serve"]

log = logging.getLogger(__name__)


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


def create_app(
    ledger: Ledger,
    engine: sa.Engine | None = None,
    signer: TokenSigner | None = None,
    keys: KeyStore | None = None,
    documents: DocumentStore | None = None,
) -> FastAPI:
    """The API over ``ledger`` and the lifecycle in ``engine`` (default: the ledger's database);
    uploaded documents' bytes go to ``documents`` (without one, uploads are refused)."""
    app = FastAPI(title="qcert", version=__version__, description="qcert API / 质量认证平台接口")
    if engine is None and ledger is not None:
        engine = ledger.storage.engine  # type: ignore[attr-defined]
    app.state.engine = engine
    app.state.ledger = ledger
    app.state.answers = AnswerCache(store_version(engine) if engine is not None else lambda: 0)
    app.state.signer = signer or TokenSigner(secrets.token_bytes(32))
    app.state.keys = keys
    app.state.documents = documents
    app.state.limiter = SignInLimiter()
    # Routes are matched in order: the public verification routes, the busiest, come first.
    app.include_router(public_router)
    app.include_router(pages_router)
    app.include_router(status_router)
    app.include_router(auth_router)
    app.include_router(commands_router)
    app.include_router(queries_router)
    app.include_router(exchange_router)
    install_workspace(app)

    @app.exception_handler(RuleViolation)
    async def _rule(_: Request, err: RuleViolation) -> JSONResponse:
        body = {"code": err.rule, "source": err.source, "message": err.en, "message_zh": err.zh}
        return JSONResponse({"error": body}, status_code=409)

    @app.exception_handler(SchemeError)
    async def _scheme(_: Request, err: SchemeError) -> JSONResponse:
        return _error(err.status, "scheme", str(err))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if p != "body")
        return _error(422, "invalid", f"{where}: {first['msg']}")

    @app.exception_handler(IndexOutOfRange)
    async def _not_found(_: Request, err: IndexOutOfRange) -> JSONResponse:
        return _error(404, "out_of_range", str(err))

    @app.exception_handler(LedgerError)
    async def _ledger(_: Request, err: LedgerError) -> JSONResponse:
        return _error(400, "ledger", str(err))

    @app.exception_handler(QcertError)
    async def _qcert(_: Request, err: QcertError) -> JSONResponse:
        code = {
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
            422: "invalid",
            429: "too_many_requests",
        }.get(err.status, "refused")
        headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
        return JSONResponse({"error": {"code": code, "message": str(err)}}, err.status, headers)

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

    @app.get("/bodies/{body_id}/did.json")
    def body_did(body_id: str, request: Request) -> dict[str, Any]:
        """A certification body's DID document (did:web), with every key it published."""
        t = tables
        with app.state.engine.connect() as conn:
            if (
                conn.execute(sa.select(t.bodies.c.id).where(t.bodies.c.id == body_id)).first()
                is None
            ):
                raise NotFound(f"no body {body_id!r}")
            keys = (
                conn.execute(
                    sa.select(t.body_keys)
                    .where(t.body_keys.c.body_id == body_id)
                    .order_by(t.body_keys.c.valid_from)
                )
                .mappings()
                .all()
            )
        host = request.headers.get("host", "localhost")
        return did_document(did_web(host, body_id), [dict(k) for k in keys])

    @app.get("/ledger/entries/{index}")
    def entry(index: int) -> Response:
        """The raw bytes of entry ``index`` (lifecycle events are not public: their proofs are)."""
        data = ledger.entry(index)
        if is_event_document(data):
            raise Forbidden("lifecycle events are not public; their inclusion proofs are")
        return Response(data, media_type="application/octet-stream")

    return app


def serve(settings: Settings, host: str, port: int) -> None:
    """Run the API with uvicorn until interrupted."""
    import uvicorn

    from ..bus import reconcile
    from ..store.uow import UnitOfWork

    signer = TokenSigner.from_file(settings.keys_dir / "api-token.secret")
    keys = KeyStore(settings.keys_dir / "bodies")
    ledger = open_ledger(settings)
    public = settings.public_host or (f"{host}:{port}" if host not in ("0.0.0.0", "::") else None)
    if public:
        # Whatever an earlier run owed (a credential or a status list it failed to publish).
        engine = ledger.storage.engine  # type: ignore[attr-defined]
        done = reconcile(lambda: UnitOfWork(engine, "reconcile", keys=keys, host=public), public)
        for cmd, why in done.failed:
            log.warning("still owed: %s: %s", cmd, why)
    documents = DocumentStore(settings.data_dir / "documents")
    app = create_app(ledger, signer=signer, keys=keys, documents=documents)
    uvicorn.run(app, host=host, port=port, log_level="warning")
