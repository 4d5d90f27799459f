"""``qcert verify``: check a certificate credential fully offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import rfc8785
import typer

from ..credentials.certificate import verify_credential, verify_status
from ..credentials.dataintegrity import ProofError
from ..errors import QcertError
from ..ledger import ProofBundle, verify_proof
from ..ledger.cosignature import parse_cosigner
from ._common import console, errors, ok, print_json, read_file


def _json(path: Path, what: str) -> Any:
    try:
        return json.loads(read_file(path))
    except ValueError:
        raise QcertError(f"{path}: the {what} is not JSON") from None


@errors
def verify(
    credential: Annotated[Path, typer.Argument(help="A certificate credential (JSON)")],
    did_doc: Annotated[Path, typer.Option("--did-doc", help="The issuer's DID document (JSON)")],
    proof: Annotated[Path | None, typer.Option(help="The credential's tlog-proof bundle")] = None,
    vkey: Annotated[
        list[str] | None, typer.Option(help="Ledger verifier key (with --proof)")
    ] = None,
    status_list: Annotated[
        list[Path] | None,
        typer.Option("--status-list", help="A status list credential of the issuer (repeatable)"),
    ] = None,
    witness: Annotated[
        list[str] | None,
        typer.Option(help="A witness's key (cosignature/v1) the proof's checkpoint must carry"),
    ] = None,
    quorum: Annotated[
        int | None,
        typer.Option(min=0, help="Witness cosignatures required (default: every --witness)"),
    ] = None,
    at: Annotated[str | None, typer.Option(help="Check as of this ISO 8601 time")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Verify a credential offline: signature, issuer key, revocation, validity, log inclusion. /
    离线验证电子证书。"""
    doc = _json(credential, "credential")
    when = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else datetime.now(UTC)
    if when.tzinfo is None:
        raise QcertError("--at: give a time zone, e.g. 2026-11-25T12:00:00+08:00")
    try:
        check = verify_credential(doc, _json(did_doc, "DID document"), when)
    except ProofError as err:
        raise QcertError(f"credential: {err}") from None
    except (KeyError, TypeError, ValueError) as err:
        raise QcertError(f"credential: malformed ({err})") from None
    result: dict[str, Any] = {
        "ok": True,
        "number": check.number,
        "issuer": check.issuer,
        "key": check.method,
        "within_validity": check.within_validity,
    }
    if status_list:
        lists = [_json(p, "status list") for p in status_list]
        try:
            flags = verify_status(doc, lists, _json(did_doc, "DID document"), when)
        except ProofError as err:
            raise QcertError(str(err)) from None
        result["status"] = flags
        set_ = [purpose for purpose, on in flags.items() if on]
        if set_:
            word = {"revocation": "revoked / 已撤销", "suspension": "suspended / 已暂停"}
            raise QcertError(
                f"status: certificate {check.number} is " + ", ".join(word[p] for p in set_)
            )
    if proof is not None:
        if not vkey:
            raise QcertError("--proof needs --vkey: the ledger's verifier key")
        bundle = ProofBundle.parse(read_file(proof).decode())
        witnesses = [parse_cosigner(w) for w in witness or []]
        need = len(witnesses) if quorum is None else quorum
        if need > len(witnesses):
            raise QcertError(f"--quorum: {need} is more than the {len(witnesses)} --witness keys")
        logged = verify_proof(bundle, rfc8785.dumps(doc), vkey, witnesses, need)
        result["ledger"] = {
            "origin": logged.checkpoint.origin,
            "index": logged.index,
            "size": logged.checkpoint.size,
            "cosigned_by": list(logged.cosigned_by),
        }
    if json_:
        print_json(result)
        return
    console.print(ok(f"certificate {check.number}: signature by {check.method} checks out"))
    console.print(
        ok("within its validity" if check.within_validity else "outside its validity dates")
    )
    if "status" in result:
        console.print(ok("neither revoked nor suspended, per the status lists given"))
    if "ledger" in result:
        led = result["ledger"]
        console.print(ok(f"in the log {led['origin']} at index {led['index']} of {led['size']}"))
