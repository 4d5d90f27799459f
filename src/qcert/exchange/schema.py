"""The published JSON Schema (draft 2020-12) of the reporting standard, generated from its
models so the two never differ; ``docs/exchange/report-v1.schema.json`` is a copy a test keeps
equal to it."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter

from .records import KINDS, RECORD_LIMIT, VERSION, Record
from .submission import STANDARD, Envelope

__all__ = ["SCHEMA_ID", "json_schema"]

SCHEMA_ID = f"urn:qcert:exchange:report:{VERSION}"


@cache
def json_schema() -> dict[str, Any]:
    """The schema of a submission: its envelope, and each record by its ``kind``."""
    record = TypeAdapter(Record).json_schema(ref_template="#/$defs/{model}")
    envelope = Envelope.model_json_schema(ref_template="#/$defs/{model}")
    defs = {**record.pop("$defs", {}), **envelope.pop("$defs", {})}
    envelope["properties"]["records"]["items"] = {"$ref": "#/$defs/Record"}
    defs["Record"] = record
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "qcert certification report",
        "description": (
            f"What a certification body reports to the supervision hub ({STANDARD} {VERSION}): "
            f"up to {RECORD_LIMIT} records a submission, of the kinds {', '.join(KINDS)}; "
            "signed with Ed25519 over the RFC 8785 canonical JSON of the envelope without its "
            "signature."
        ),
        **envelope,
        "$defs": defs,
    }
