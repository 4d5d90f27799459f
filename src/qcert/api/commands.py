"""One POST endpoint per command: parse, hand to the bus with the caller; the bus authorises.

Documents are the exception: their bytes come as a multipart upload to
``POST /api/v1/documents`` (a hash alone records nothing), so ``upload-document`` has no JSON
endpoint.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ..access import COMMANDS, command_names
from ..lifecycle import commands as c
from ..lifecycle.aggregate import invalid
from ..lifecycle.documents import MAX_DOCUMENT_BYTES, media_type_of
from ..lifecycle.inputs import Id, Instant, Latitude, Longitude, Note
from .deps import Caller, Svc, guard
from .errors import errors

__all__ = ["UPLOAD_PATH", "router"]

router = APIRouter(
    prefix="/api/v1",
    tags=["commands"],
    dependencies=[Depends(guard)],
    responses=errors(400, 401, 403, 404, 409, 413, 422, 503),
)
UPLOAD_PATH = "/api/v1/documents"


class CommandRead(BaseModel):
    """What a command did: the ledger indices of its events, and what it gives back once
    (a new API key, an invitation's code)."""

    command: str
    ledger_indices: list[int]
    reply: dict[str, Any] = {}
    owed: list[str] = []  # what the platform still owes after it (a credential, say)


def _endpoint(cls: type, name: str):  # type: ignore[no-untyped-def]
    def endpoint(body: Any, svc: Any, who: Any) -> CommandRead:
        outcome = svc.bus.handle(body, who)
        return CommandRead(
            command=name, ledger_indices=outcome.indices, reply=outcome.reply, owed=outcome.owed
        )

    # Real types, not strings: FastAPI reads them to build each command's schema.
    endpoint.__annotations__ = {"body": cls, "svc": Svc, "who": Caller, "return": CommandRead}
    endpoint.__name__ = name.replace("-", "_")
    rule = COMMANDS[cls]
    endpoint.__doc__ = f"{cls.__name__}: {rule.needs}. Fields: " + ", ".join(
        f.name for f in dataclasses.fields(cls)
    )
    return endpoint


for _name, _cls in command_names().items():
    if _cls is not c.UploadDocument:
        router.add_api_route(f"/commands/{_name}", _endpoint(_cls, _name), methods=["POST"])


@router.post(UPLOAD_PATH.removeprefix("/api/v1"))
async def upload_document(
    svc: Svc,
    who: Caller,
    client_id: Annotated[Id, Form(description="The organisation")],
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG or UTF-8 text, ≤ 10 MiB")],
    purpose: Annotated[Note, Form(description="What the document is for")] = "",
    certification_id: Annotated[Id | None, Form(description="The certification it is for")] = None,
    taken_at: Annotated[
        Instant | None, Form(description="A photo's time taken, with its zone (else EXIF's)")
    ] = None,
    taken_lat: Annotated[Latitude | None, Form(description="Where (else EXIF's), WGS 84")] = None,
    taken_lon: Annotated[Longitude | None, Form(description="Where (else EXIF's), WGS 84")] = None,
) -> CommandRead:
    """Give a document (UploadDocument): its bytes are stored under their SHA-256 and both
    digests (SHA-256, SM3) recorded on the ledger as ``client.document-uploaded``, with a
    photo's time and position taken (given here, else from its EXIF); the caller uploads."""
    data = await file.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise invalid("file", "document.too_large")
    media_type = media_type_of(data)
    if media_type is None:
        raise invalid("file", "document.type")
    cmd = c.UploadDocument(
        client_id,
        hashlib.sha256(data).hexdigest(),
        file.filename or "",
        media_type,
        len(data),
        purpose,
        who.account_id,
        certification_id,
        taken_at=taken_at,
        taken_lat=taken_lat,
        taken_lon=taken_lon,
        content=data,
    )
    outcome = await run_in_threadpool(svc.bus.handle, cmd, who)
    return CommandRead(command="upload-document", ledger_indices=outcome.indices)
