"""The printable certificate: a bilingual (zh-CN / en) A4 PDF with a verification QR code.

What the sheet states follows ISO/IEC 17021-1:2015 8.2.2 for management systems
(each site's name and location, the effective dates, the certificate number, the
standard and its edition, the scope per site, the body and its accreditation) and
ISO/IEC 17065:2012 7.7 for products and services (the products or services certified).
The QR code holds the platform's verification URL with the SHA-256 of the newest
signed credential, so a reader can check the paper against the ledger.

Reading (:func:`certificate_sheet`) is kept apart from rendering
(:func:`render_html`, :func:`render_pdf`), which is a pure function of the sheet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

import segno
import sqlalchemy as sa
from jinja2 import Environment, PackageLoader, select_autoescape

from .. import schemes
from ..errors import QcertError
from ..locale import messages as from_catalogs
from ..store import tables as t
from .did import base_url

__all__ = [
    "BANNERS",
    "LABELS",
    "CertificateNotFound",
    "NoCredential",
    "certificate_sheet",
    "file_name",
    "render_html",
    "render_pdf",
    "verification_url",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")

# Every label printed on the sheet, as (zh-CN, en).
LABELS = from_catalogs(__name__, "LABELS")

# Titles by scheme kind (qcert.schemes.Kind), as (zh-CN, en).
TITLES = from_catalogs(__name__, "TITLES")

# ISO/IEC 17065:2012 7.7 asks for the products or services themselves, not a system scope.
SCOPE_LABELS = from_catalogs(__name__, "SCOPE_LABELS")

MILESTONES = from_catalogs(__name__, "MILESTONES")

# A sheet that is not valid says so across the page rather than looking valid.
BANNERS = from_catalogs(__name__, "BANNERS")


class CertificateNotFound(QcertError):
    """No certificate has the number asked for."""

    status = 404


class NoCredential(QcertError):
    """The certificate has no signed credential yet, so there is nothing for a QR code to hold."""

    status = 409


def verification_url(host: str, number: str, sha256: str) -> str:
    """``https://{host}/v/{number}?sha256={hex}``: what the certificate's QR code holds
    (``http://`` for a loopback host, which is served without TLS: see ``did.base_url``).

    ``sha256`` is the SHA-256 (64 hex digits) of the credential's RFC 8785 canonical bytes;
    it is written in lower case. Raises ValueError for an empty host or number or a bad hash.
    """
    digest = sha256.lower()
    if not _SHA256.fullmatch(digest):
        raise ValueError(f"sha256: must be 64 hex digits, got {sha256!r}")
    host = host.strip().rstrip("/")
    if not host or "/" in host:
        raise ValueError(f"host: must be a host name with an optional port, got {host!r}")
    if not number:
        raise ValueError("number: must not be empty")
    return f"{base_url(host)}/v/{quote(number, safe='')}?sha256={digest}"


def file_name(number: str) -> str:
    """A safe file name for certificate ``number``'s PDF (``certificate-<number>.pdf``)."""
    return "certificate-" + re.sub(r"[^A-Za-z0-9._-]", "_", number) + ".pdf"


# -- reading -------------------------------------------------------------------


def _one(conn: sa.Connection, table: sa.Table, key: str) -> sa.RowMapping:
    return conn.execute(sa.select(table).where(table.c.id == key)).mappings().one()


def _registration(conn: sa.Connection, aggregate: str, kind: str) -> dict[str, Any]:
    # The accreditation and the registered address are kept only on the registration event.
    doc = conn.execute(
        sa.select(t.events.c.document)
        .where(t.events.c.aggregate == aggregate, t.events.c.type == kind)
        .order_by(t.events.c.seq)
        .limit(1)
    ).scalar()
    return json.loads(doc)["data"] if doc else {}


def _milestones(conn: sa.Connection, certification_id: str) -> list[dict[str, str]]:
    """Renewals, scope changes and a transfer in, with their effective dates (17021-1 8.2.2)."""
    docs = conn.execute(
        sa.select(t.events.c.document)
        .where(
            t.events.c.aggregate == f"certification:{certification_id}",
            t.events.c.type.in_(
                [
                    "certificate.issued",
                    "certificate.scope-changed",
                    "certification.transfer-accepted",
                ]
            ),
        )
        .order_by(t.events.c.seq)
    ).scalars()
    out: list[dict[str, str]] = []
    transferred, issued = False, False
    for doc in docs:
        event = json.loads(doc)
        data = event["data"]
        if event["type"] == "certification.transfer-accepted":
            transferred = True
        elif event["type"] == "certificate.issued":
            # The grant itself is the original issue date, printed on its own line.
            if issued or transferred:
                kind = "renewed" if issued else "transferred"
                out.append({"event": kind, "on": data["issue_date"]})
            issued = True
        else:
            kind = "extended" if data["change"] == "extend" else "reduced"
            out.append({"event": kind, "on": data["on"]})
    return out


def certificate_sheet(
    conn: sa.Connection, number: str, withhold_confidential: bool = False
) -> dict[str, Any]:
    """Everything the printed certificate ``number`` states, as a plain dict.

    With ``withhold_confidential`` (the public face), a client marked confidential keeps its
    credit code, address and sites off the sheet, as in the public lookup. Raises
    CertificateNotFound for an unknown number and NoCredential before the first credential.
    """
    cert = (
        conn.execute(sa.select(t.certificates).where(t.certificates.c.number == number))
        .mappings()
        .first()
    )
    if cert is None:
        raise CertificateNotFound(f"number: no certificate {number!r}")
    sha256 = conn.execute(
        sa.select(t.credentials.c.sha256)
        .where(t.credentials.c.number == number)
        .order_by(t.credentials.c.ledger_index.desc())
        .limit(1)
    ).scalar()
    if sha256 is None:
        raise NoCredential(f"number: certificate {number} has no signed credential yet")
    client = _one(conn, t.clients, cert["client_id"])
    body = _one(conn, t.bodies, cert["body_id"])
    withheld = withhold_confidential and bool(client["confidential"])
    client_sites = {s["id"]: s for s in json.loads(client["sites"])}
    sites = [
        {
            "id": s["site"],
            "name": client_sites.get(s["site"], {}).get("name", s["site"]),
            "address": client_sites.get(s["site"], {}).get("address", ""),
            "adcode": client_sites.get(s["site"], {}).get("adcode", ""),
            "scope": s["scope"],
        }
        for s in json.loads(cert["sites"])
    ]
    registered = _registration(conn, f"client:{client['id']}", "client.registered")
    accreditation = _registration(conn, f"body:{body['id']}", "body.registered")
    return {
        "number": cert["number"],
        "status": cert["status"],
        "scheme_id": cert["scheme_id"],
        "scope": cert["scope"],
        "sites": [] if withheld else sites,
        "issue_date": cert["issue_date"],
        "original_issue_date": cert["original_issue_date"],
        "expiry_date": cert["expiry_date"],
        "deadline": cert["deadline"],
        "transferred_to": cert["transferred_to"],
        "milestones": [] if withheld else _milestones(conn, cert["certification_id"]),
        "organisation": {
            "name_zh": client["name_zh"],
            "name_en": client["name_en"],
            "uscc": None if withheld else client["uscc"],
            "address": None if withheld else registered.get("address"),
        },
        "body": {
            "id": body["id"],
            "approval_no": body["approval_no"],
            "name_zh": body["name_zh"],
            "name_en": body["name_en"],
            "accreditation": accreditation.get("accreditation", ""),
        },
        "withheld": withheld,
        "sha256": sha256,
    }


# -- rendering -----------------------------------------------------------------

_ENV = Environment(
    loader=PackageLoader("qcert.credentials", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _shown_status(sheet: Mapping[str, Any], today: date) -> str:
    # The status column says "active" until the expiry job runs; the date decides.
    if sheet["status"] == "active" and today > date.fromisoformat(sheet["expiry_date"]):
        return "expired"
    return str(sheet["status"])


def render_html(sheet: Mapping[str, Any], host: str, today: date) -> str:
    """The certificate as an HTML page (A4 print styles), from :func:`certificate_sheet`'s dict.

    ``host`` is the platform's public host (for the QR code's URL); ``today`` (UTC date)
    decides whether an active certificate has lapsed.
    """
    scheme = schemes.get(sheet["scheme_id"])
    url = verification_url(host, sheet["number"], sheet["sha256"])
    # Error correction M survives a fold or a stain on paper; quiet zone of 4 modules.
    qr = segno.make(url, error="m", boost_error=False).svg_data_uri(scale=4, border=4)
    status = _shown_status(sheet, today)
    return _ENV.get_template("certificate.html").render(
        sheet=sheet,
        scheme=scheme,
        kind=scheme.kind.value,
        title=TITLES[scheme.kind.value],
        scope_label=SCOPE_LABELS[scheme.kind.value],
        milestones=MILESTONES,
        L=LABELS,
        banner=BANNERS.get(status),
        status=status,
        url=url,
        qr=qr,
    )


def render_pdf(sheet: Mapping[str, Any], host: str, today: date) -> bytes:
    """The certificate as PDF bytes (A4), from :func:`certificate_sheet`'s dict.

    Chinese text needs a CJK font on the machine (Noto CJK SC); see :func:`render_html`.
    """
    # Imported here: weasyprint loads pango and takes about a second, which commands that
    # never print a certificate should not pay.
    from weasyprint import HTML

    return HTML(string=render_html(sheet, host, today)).write_pdf()
