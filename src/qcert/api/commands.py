"""One POST endpoint per lifecycle command: parse, authorise, hand to the bus."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from ..bus import by_name, handle
from ..errors import QcertError
from ..lifecycle import commands as c
from ..store.uow import UnitOfWork
from .auth import principal
from .principal import NEEDS, Principal, authorize

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/commands", tags=["commands"])


class CommandRead(BaseModel):
    command: str
    ledger_indices: list[int]


def _endpoint(cls: type, name: str):  # type: ignore[no-untyped-def]
    def endpoint(body: Any, request: Request, who: Any) -> CommandRead:
        engine = request.app.state.engine
        with engine.connect() as conn:
            authorize(conn, who, body)
        keys, host = request.app.state.keys, request.headers.get("host")
        documents = request.app.state.documents
        if documents is None and isinstance(body, c.UploadDocument):
            raise QcertError("upload-document: this server keeps no documents")
        uow = UnitOfWork(engine, actor=who.account_id, keys=keys, host=host, documents=documents)
        indices = handle(body, uow)
        return CommandRead(command=name, ledger_indices=indices)

    # Real types, not strings: FastAPI reads them to build each command's schema.
    endpoint.__annotations__ = {
        "body": cls,
        "request": Request,
        "who": Annotated[Principal, Depends(principal)],
        "return": CommandRead,
    }
    endpoint.__name__ = name.replace("-", "_")
    endpoint.__doc__ = f"{cls.__name__}: needs role `{NEEDS[cls]}`. Fields: " + ", ".join(
        f.name for f in dataclasses.fields(cls)
    )
    return endpoint


for _name, _cls in by_name().items():
    router.add_api_route(f"/{_name}", _endpoint(_cls, _name), methods=["POST"])
