"""E-mail of notices over SMTP (standard library only): settings from ``QCERT_SMTP_URL`` and
``QCERT_SMTP_FROM``, one message per notice with its text in zh-CN and en.

``smtp://[user:password@]host[:port]`` connects in plain and upgrades with STARTTLS whenever
the server offers it (RFC 3207); ``smtps://…`` speaks TLS from the start (RFC 8314, port 465
by default). With a user, it signs in (AUTH) before sending.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import QcertError
from .text import link, title

__all__ = ["Mailer", "SmtpSettings", "message", "smtp_settings"]

TIMEOUT = 20.0  # seconds a mail server may take to answer


@dataclass(frozen=True)
class SmtpSettings:
    """Where notices are mailed from: the server, its credentials and the sender."""

    host: str
    port: int
    tls: bool  # TLS from the start (smtps)
    user: str
    password: str
    sender: str


def smtp_settings(url: str | None, sender: str | None) -> SmtpSettings | None:
    """Settings from ``QCERT_SMTP_URL`` and ``QCERT_SMTP_FROM``; None without a URL; a
    QcertError naming the setting for one that cannot be read."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise QcertError(
            f"QCERT_SMTP_URL: {url!r} is not smtp://[user:password@]host[:port] or smtps://… / "
            f"QCERT_SMTP_URL：{url!r} 不是 smtp://[用户:密码@]主机[:端口] 或 smtps://…"
        )
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise QcertError(
            f"QCERT_SMTP_URL: the port of {url!r} is not a number from 1 to 65535 / "
            f"QCERT_SMTP_URL：{url!r} 的端口不是 1 到 65535 的数字"
        ) from None
    return SmtpSettings(
        parts.hostname,
        port,
        parts.scheme == "smtps",
        unquote(parts.username or ""),
        unquote(parts.password or ""),
        sender or f"qcert@{parts.hostname}",
    )


def message(notice: Mapping[str, Any], to: str, sender: str, base_url: str) -> EmailMessage:
    """The e-mail of ``notice`` to ``to``: subject and body in zh-CN, then en, with the link."""
    zh, en = title(notice, "zh-CN"), title(notice, "en")
    url = base_url.rstrip("/") + link(notice)
    msg = EmailMessage()
    msg["Subject"] = f"[qcert] {zh} / {en}"
    msg["From"], msg["To"] = sender, to
    msg["Message-ID"] = make_msgid(notice["id"])
    msg.set_content(
        f"{zh}\n查看：{url}\n\n{en}\nOpen: {url}\n\n— qcert 通知 / notice {notice['id']}\n",
        charset="utf-8",
    )
    return msg


class Mailer:
    """Sends messages through one SMTP server, a connection per batch."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, messages: list[EmailMessage]) -> list[str | None]:
        """Send each message; per message, None when the server took it, else why not. A
        connection that cannot be opened fails them all (raised: OSError or SMTPException)."""
        s = self.settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.tls:
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
        with smtp:
            smtp.ehlo()
            if not s.tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password)
            out: list[str | None] = []
            for msg in messages:
                try:
                    smtp.send_message(msg)
                    out.append(None)
                except smtplib.SMTPException as err:  # this recipient refused; others go on
                    out.append(str(err) or type(err).__name__)
            return out
