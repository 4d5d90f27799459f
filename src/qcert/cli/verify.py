"""``qcert verify``: check a certificate credential fully offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from ..credentials.certificate import verify_credential, verify_status
from ..credentials.dataintegrity import ProofError
from ..ledger import ProofBundle, verify_proof
from ..ledger.canonical import canonical_json
from ..ledger.cosignature import parse_cosigner
from ._common import console, errors, ok, print_json, read_file, refusal
from ._words import both, said

# each status a list can set -> the key of its word
SET = {"revocation": "verify.revoked", "suspension": "verify.suspended"}


def _json(path: Path, what: str) -> Any:
    try:
        return json.loads(read_file(path))
    except ValueError:
        en, zh = said(what)
        raise refusal("verify.not_json", path=path, what=en, what_zh=zh) from None


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
    doc = _json(credential, "verify.credential")
    when = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else datetime.now(UTC)
    if when.tzinfo is None:
        raise refusal("verify.no_zone")
    try:
        check = verify_credential(doc, _json(did_doc, "verify.did_document"), when)
    except ProofError as err:
        raise refusal("verify.credential_failed", error=err) from None
    except (KeyError, TypeError, ValueError) as err:
        raise refusal("verify.credential_malformed", error=err) from None
    result: dict[str, Any] = {
        "ok": True,
        "number": check.number,
        "issuer": check.issuer,
        "key": check.method,
        "within_validity": check.within_validity,
        # without the issuer's status lists nothing says whether the certificate was suspended
        # or withdrawn since it was signed: said in the result, never left to be assumed
        "status_checked": bool(status_list),
    }
    if not status_list:
        en, zh = said("verify.status_not_checked")
        result["status_not_checked"] = {"en": en, "zh-CN": zh}
    if status_list:
        lists = [_json(p, "verify.status_list") for p in status_list]
        try:
            flags = verify_status(doc, lists, _json(did_doc, "verify.did_document"), when)
        except ProofError as err:
            raise refusal("verify.status_failed", error=err) from None
        result["status"] = flags
        set_ = [purpose for purpose, on in flags.items() if on]
        if set_:
            words = [said(SET[p]) for p in set_]
            raise refusal(
                "verify.status_set",
                number=check.number,
                status=[en for en, _ in words],
                status_zh=[zh for _, zh in words],
            )
    if proof is not None:
        if not vkey:
            raise refusal("verify.proof_needs_vkey")
        bundle = ProofBundle.parse(read_file(proof).decode())
        witnesses = [parse_cosigner(w) for w in witness or []]
        need = len(witnesses) if quorum is None else quorum
        if need > len(witnesses):
            raise refusal("verify.quorum", need=need, given=len(witnesses))
        logged = verify_proof(bundle, canonical_json(doc), vkey, witnesses, need)
        result["ledger"] = {
            "origin": logged.checkpoint.origin,
            "index": logged.index,
            "size": logged.checkpoint.size,
            "cosigned_by": list(logged.cosigned_by),
        }
    if json_:
        print_json(result)
        return
    console.print(ok(both("verify.signature", number=check.number, key=check.method)))
    console.print(ok(both("verify.valid" if check.within_validity else "verify.not_valid")))
    if "status" in result:
        console.print(ok(both("verify.not_set")))
    else:
        mark, told = said("verify.not_checked_mark"), said("verify.status_not_checked")
        console.print(Text.assemble((mark[0], "yellow"), f" {told[0]}"))
        console.print(Text.assemble((mark[1], "yellow"), f" {told[1]}"))
    if "ledger" in result:
        led = result["ledger"]
        console.print(
            ok(both("verify.in_log", origin=led["origin"], index=led["index"], size=led["size"]))
        )
