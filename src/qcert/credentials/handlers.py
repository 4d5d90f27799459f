"""Issuing a certificate as a credential: signed, appended to the ledger, recorded as an event."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import rfc8785

from .. import schemes
from ..errors import QcertError
from ..lifecycle.model import Body, Certification, Client
from .certificate import certificate_credential, sign_credential
from .commands import IssueCredential
from .did import did_web

__all__ = ["HANDLERS", "NoSigningKey", "issue_credential"]


class NoSigningKey(QcertError):
    """The body has not published a credential-signing key (yet)."""

    status = 409


def _signing_key(body: Body) -> str:
    live = [(k["valid_from"], kid) for kid, k in body.keys.items() if not k["revoked"]]
    if not live:
        raise NoSigningKey(
            f"body {body.id} has no live signing key: run `qcert keys add-body-key {body.id}`"
        )
    return max(live)[1]


def issue_credential(cmd: IssueCredential, uow: Any) -> None:
    """Sign the live certificate of a certification with its body's newest key (W3C VC 2.0)."""
    cert = uow.get(Certification, cmd.certification_id)
    body, client = uow.get(Body, cert.body_id), uow.get(Client, cert.client_id)
    c = cert.certificate
    if c is None:
        raise QcertError(f"{cert.id} has no certificate yet")
    key_id = _signing_key(body)
    scheme = schemes.get(cert.scheme_id)
    row = {
        "number": c.number,
        "scheme_id": cert.scheme_id,
        "scope": c.scope,
        "sites": [{"site": s, "scope": c.scope_of(s)} for s in c.sites],
        "issue_date": c.issue_date.isoformat(),
        "original_issue_date": c.original_issue_date.isoformat(),
        "expiry_date": c.expiry_date.isoformat(),
    }
    did = did_web(cmd.host, body.id)
    organisation = {"uscc": client.uscc, "name_zh": client.name_zh, "name_en": client.name_en}
    unsigned = certificate_credential(
        did, row, organisation, f"{scheme.standard.code}:{scheme.standard.edition}"
    )
    signed = sign_credential(unsigned, uow.keys.load(body.id, key_id), f"{did}#{key_id}")
    data = rfc8785.dumps(signed)
    index = uow.append_entry(data)
    cert.record_credential(key_id, index, hashlib.sha256(data).hexdigest())


HANDLERS: dict[type, Callable[[Any, Any], None]] = {IssueCredential: issue_credential}
