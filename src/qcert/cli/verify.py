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
from ..locale import messages as from_catalogs
from ._common import console, errors, ok, print_json, read_file, refusal

# key -> (zh-CN, en)
MESSAGES = from_catalogs(__name__)


def _json(path: Path, what: str) -> Any:
    try:
        return json.loads(read_file(path))
    except ValueError:
        raise refusal(f"{path}: the {what} is not JSON", f"{path}：{what} 不是 JSON") from None


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
        raise refusal(
            "--at: give a time zone, e.g. 2026-11-25T12:00:00+08:00",
            "--at：请给出时区，例如 2026-11-25T12:00:00+08:00",
        )
    try:
        check = verify_credential(doc, _json(did_doc, "DID document"), when)
    except ProofError as err:
        raise refusal(f"credential: {err}", "credential：电子证书验证失败") from None
    except (KeyError, TypeError, ValueError) as err:
        raise refusal(f"credential: malformed ({err})", "credential：电子证书格式有误") from None
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
        zh, en = MESSAGES["status.not_checked"]
        result["status_not_checked"] = {"en": en, "zh-CN": zh}
    if status_list:
        lists = [_json(p, "status list") for p in status_list]
        try:
            flags = verify_status(doc, lists, _json(did_doc, "DID document"), when)
        except ProofError as err:
            raise refusal(str(err), "状态列表验证失败") from None
        result["status"] = flags
        set_ = [purpose for purpose, on in flags.items() if on]
        if set_:
            word = {"revocation": "revoked / 已撤销", "suspension": "suspended / 已暂停"}
            raise refusal(
                f"status: certificate {check.number} is " + ", ".join(word[p] for p in set_),
                f"状态：证书 {check.number} " + "、".join(word[p].split(" / ")[1] for p in set_),
            )
    if proof is not None:
        if not vkey:
            raise refusal(
                "--proof needs --vkey: the ledger's verifier key",
                "--proof 需要 --vkey：账本的验证密钥",
            )
        bundle = ProofBundle.parse(read_file(proof).decode())
        witnesses = [parse_cosigner(w) for w in witness or []]
        need = len(witnesses) if quorum is None else quorum
        if need > len(witnesses):
            raise refusal(
                f"--quorum: {need} is more than the {len(witnesses)} --witness keys",
                f"--quorum：{need} 超过了所给的 {len(witnesses)} 个 --witness 密钥",
            )
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
    console.print(
        ok(f"certificate {check.number}: signature by {check.method} checks out / 签名有效")
    )
    console.print(
        ok(
            "within its validity / 在有效期内"
            if check.within_validity
            else "outside its validity dates / 不在有效期内"
        )
    )
    if "status" in result:
        console.print(
            ok("neither revoked nor suspended, per the status lists given / 未撤销、未暂停")
        )
    else:
        mark, said = MESSAGES["status.not_checked.mark"], MESSAGES["status.not_checked"]
        console.print(Text.assemble((mark[1], "yellow"), f" {said[1]}"))
        console.print(Text.assemble((mark[0], "yellow"), f" {said[0]}"))
    if "ledger" in result:
        led = result["ledger"]
        console.print(
            ok(
                f"in the log {led['origin']} at index {led['index']} of {led['size']} / "
                f"已记入账本（第 {led['index']} 条，共 {led['size']} 条）"
            )
        )
