"""Issuing certificates as credentials, and publishing their status lists.

A credential is signed, appended to the ledger and recorded as an event. Each certificate
gets one bit in its body's status lists; every change of a list is a new signed version,
itself a ledger entry recorded as an event (W3C Bitstring Status List v1.0).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from .. import schemes
from ..errors import QcertError
from ..ledger.canonical import canonical_json
from ..lifecycle.certification import Certification
from ..lifecycle.parties import Body, Client
from .certificate import certificate_credential, sign_credential
from .commands import IssueCredential, PublishStatus
from .did import base_url, did_web
from .status_lists import STATUS_PURPOSES, PublishedStatusList, status_flags
from .statuslist import MIN_ENTRIES, StatusList, entry, list_credential

__all__ = ["HANDLERS", "LIST_FILL", "NoSigningKey", "issue_credential", "status_list_url"]

# Bits given out per list before the next list opens. Drawing at random from a list kept
# three-quarters empty hides which certificate a bit belongs to among many (Bitstring
# Status List v1.0 6.1, group privacy) and keeps redraws rare.
LIST_FILL = MIN_ENTRIES // 4


class NoSigningKey(QcertError):
    """The body has not published a credential-signing key (yet)."""

    status = 409


def status_list_url(host: str, body_id: str, purpose: str, list_no: int) -> str:
    """Where a body's status list is published (its ``statusListCredential``): https, or
    plain http on a loopback host (see :func:`qcert.credentials.did.base_url`)."""
    return f"{base_url(host)}/bodies/{body_id}/status/{purpose}/{list_no}"


def _host(uow: Any) -> str:
    """The installation's public host: its bodies' did:web domain and where lists are served."""
    if not getattr(uow, "host", None):
        raise QcertError(
            "no public host is configured (QCERT_PUBLIC_HOST): credentials cannot name "
            "their issuer / 未配置公网主机（QCERT_PUBLIC_HOST），无法签发电子证书"
        )
    return str(uow.host)


def _signing_key(body: Body) -> str:
    live = [(k["valid_from"], kid) for kid, k in body.keys.items() if not k["revoked"]]
    if not live:
        raise NoSigningKey(
            f"body {body.id} has no live signing key: run `qcert keys add-body-key {body.id}`"
        )
    return max(live)[1]


def _instant(at: datetime) -> str:
    return at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _assign_status_entry(uow: Any, cert: Certification) -> tuple[int, int]:
    """The certificate's status bit, drawn at random from the body's open list on first use."""
    if cert.status_entry is None:
        list_no = uow.status_entries_used(cert.body_id) // LIST_FILL + 1
        index = secrets.randbelow(MIN_ENTRIES)
        while uow.status_entry_taken(cert.body_id, list_no, index):
            index = secrets.randbelow(MIN_ENTRIES)
        cert.assign_status_entry(list_no, index)
    assert cert.status_entry is not None
    return cert.status_entry


def issue_credential(cmd: IssueCredential, uow: Any) -> None:
    """Sign the live certificate of a certification with its body's newest key (W3C VC 2.0)."""
    host = _host(uow)
    cert = uow.get(Certification, cmd.certification_id)
    body, client = uow.get(Body, cert.body_id), uow.get(Client, cert.client_id)
    c = cert.certificate
    if c is None:
        raise QcertError(f"{cert.id} has no certificate yet")
    key_id = _signing_key(body)
    scheme = schemes.get(cert.scheme_id)
    list_no, index = _assign_status_entry(uow, cert)
    status = [
        entry(status_list_url(host, body.id, purpose, list_no), purpose, index)
        for purpose in STATUS_PURPOSES
    ]
    row = {
        "number": c.number,
        "scheme_id": cert.scheme_id,
        "scope": c.scope,
        "sites": [{"site": s, "scope": c.scope_of(s)} for s in c.sites],
        "issue_date": c.issue_date.isoformat(),
        "original_issue_date": c.original_issue_date.isoformat(),
        "expiry_date": c.expiry_date.isoformat(),
    }
    did = did_web(host, body.id)
    organisation = {"uscc": client.uscc, "name_zh": client.name_zh, "name_en": client.name_en}
    unsigned = certificate_credential(
        did, row, organisation, f"{scheme.standard.code}:{scheme.standard.edition}", status
    )
    key = uow.keys.load(body.id, key_id)
    signed = sign_credential(unsigned, key, f"{did}#{key_id}", uow.clock())
    data = canonical_json(signed)
    index_on_ledger = uow.append_entry(data)
    cert.record_credential(key_id, index_on_ledger, hashlib.sha256(data).hexdigest())
    # A renewal after a suspension clears the bit, and a body's first credential opens its lists.
    _publish(uow, [cert], host)


def publish_status(cmd: PublishStatus, uow: Any) -> None:
    """Publish a new version of every list whose bits for these certificates changed, at the
    address each list has had since its first version (whatever host this face was given)."""
    certs = [uow.get(Certification, cid) for cid in cmd.certification_ids]
    _publish(uow, certs, uow.host or None)


def _list_host(published: PublishedStatusList, host: str | None) -> str:
    """The host a list is published under: the one in its address for a list that has one
    (credentials point there), else the configured one."""
    if published.url:
        return urlsplit(published.url).netloc
    return host or _host(None)


def _publish(uow: Any, certs: Iterable[Certification], host: str | None) -> None:
    lists: dict[tuple[str, int], list[Certification]] = defaultdict(list)
    for cert in certs:
        if cert.status_entry is not None:
            lists[(cert.body_id, cert.status_entry[0])].append(cert)
    for (body_id, list_no), members in sorted(lists.items()):
        body = uow.get(Body, body_id)
        for purpose in STATUS_PURPOSES:
            list_id = PublishedStatusList.id_for(body_id, purpose, list_no)
            if uow.exists(PublishedStatusList, list_id):
                published = uow.get(PublishedStatusList, list_id)
            else:
                published = PublishedStatusList(list_id)
            bits = (
                StatusList.decode(published.encoded_list)
                if published.encoded_list
                else StatusList()
            )
            for cert in members:
                assert cert.status_entry is not None
                bits[cert.status_entry[1]] = status_flags(
                    cert.certificate.status if cert.certificate else None
                )[purpose]
            encoded = bits.encode()
            if encoded == published.encoded_list:
                continue
            if published.version == 0:
                uow.add(published)
            _sign_and_record(
                uow, body, published, purpose, list_no, bits, _list_host(published, host)
            )


def _sign_and_record(
    uow: Any,
    body: Body,
    published: PublishedStatusList,
    purpose: str,
    list_no: int,
    bits: StatusList,
    host: str,
) -> None:
    key_id = _signing_key(body)
    now = uow.clock()
    did = did_web(host, body.id)
    url = status_list_url(host, body.id, purpose, list_no)
    unsigned = list_credential(url, did, purpose, bits, _instant(now))
    signed = sign_credential(unsigned, uow.keys.load(body.id, key_id), f"{did}#{key_id}", now)
    data = canonical_json(signed)
    index = uow.append_entry(data)
    published.publish(
        body.id,
        purpose,
        list_no,
        now,
        unsigned["credentialSubject"]["encodedList"],
        index,
        hashlib.sha256(data).hexdigest(),
        url,
    )


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    IssueCredential: issue_credential,
    PublishStatus: publish_status,
}
