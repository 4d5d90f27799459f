"""Loading and validating scheme files; the registry of bundled schemes."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ._yaml import SAFE_LOADER
from .errors import SchemeError, SchemeNotFound
from .model import Scheme

__all__ = ["bundled", "get", "json_schema", "load", "parse"]


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(file)"


def parse(text: str, origin: str = "<scheme>") -> Scheme:
    """A scheme from YAML text; errors name the file, the field and the rule."""
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise SchemeError(
            f"{origin}:{where} not valid YAML: {getattr(err, 'problem', err)}"
        ) from None
    if not isinstance(data, dict):
        raise SchemeError(f"{origin}: a scheme file must be a mapping of fields")
    try:
        return Scheme.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
        raise SchemeError(f"{origin}: {_field(first['loc'])}: {first['msg']}{more}") from None


def load(path: Path) -> Scheme:
    """A scheme from a YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise SchemeError(f"{path}: {err.strerror}") from None
    return parse(text, str(path))


@cache
def bundled() -> dict[str, Scheme]:
    """The schemes shipped with qcert, by id."""
    out: dict[str, Scheme] = {}
    for entry in sorted(resources.files(__package__).joinpath("data").iterdir(), key=str):
        if entry.name.endswith(".yaml"):
            scheme = parse(entry.read_text(encoding="utf-8"), f"schemes/data/{entry.name}")
            if scheme.id in out:
                raise SchemeError(f"two bundled schemes have id {scheme.id}")
            out[scheme.id] = scheme
    return out


def get(scheme_id: str) -> Scheme:
    """A bundled scheme by id, or by the last part of its id (``iso9001``)."""
    schemes = bundled()
    if scheme_id in schemes:
        return schemes[scheme_id]
    short = [s for s in schemes.values() if s.id.split(":")[3] == scheme_id]
    if len(short) == 1:
        return short[0]
    raise SchemeNotFound(f"no scheme {scheme_id!r}; `qcert schemes list` shows the ids")


def json_schema() -> str:
    """The published JSON Schema of scheme files, as text."""
    schema = Scheme.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:qcert:scheme-schema:1"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
