"""Notices by e-mail, against a real SMTP server started in the test (aiosmtpd): each notice
mailed once to the address its recipient gave, in zh-CN and en; a refusal or an unreachable
server is reported and retried, never lost; without SMTP settings nothing is mailed."""

from __future__ import annotations

import email
import socket
from email.policy import default

import pytest
import sqlalchemy as sa

from qcert.access import Principal
from qcert.config import Settings
from qcert.errors import QcertError
from qcert.notices import SetNoticeAddress
from qcert.notices.mail import Mailer, SmtpSettings, smtp_settings
from qcert.notifying import Notifier
from qcert.store import tables as t
from tests.e2e.web.noticed_world import TODAY, noticed

aiosmtpd = pytest.importorskip("aiosmtpd.controller")


class Inbox:
    """What the test's mail server received; ``refuse`` makes it answer 550 to every message."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "550 mailbox unavailable"
        msg = email.message_from_bytes(envelope.content, policy=default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def world(engine, tmp_path):
    w = noticed(engine, tmp_path)
    lead = Principal("lead", frozenset({("auditor", "body:cb1")}))
    w.services.bus.handle(SetNoticeAddress("lead", "lead@example.com"), lead)
    yield w
    w.services.close()


def _notifier(world, port: int) -> Notifier:
    settings = SmtpSettings("127.0.0.1", port, False, "", "", "qcert@cb1.example")
    return Notifier(world.services.bus, world.services.clock, Mailer(settings), "https://q.example")


def _mailed(world) -> list[tuple[str, str]]:
    n = t.notices.c
    with world.engine.connect() as conn:
        rows = conn.execute(sa.select(n.recipient, n.mailed_to).where(n.mailed_to.is_not(None)))
        return sorted(tuple(r) for r in rows)


def test_each_notice_is_mailed_once_in_both_languages(world, smtp):
    inbox, port = smtp
    notifier = _notifier(world, port)
    report = notifier.run(TODAY)
    assert (report.mailed, report.failed) == (2, [])  # lead's two: the late and the answered
    assert _mailed(world) == [("lead", "lead@example.com")] * 2
    assert {m["To"] for m in inbox.messages} == {"lead@example.com"}
    body = inbox.messages[0].get_content()
    assert "f1" in "".join(m.get_content() for m in inbox.messages)
    assert "查看" in body and "Open: https://q.example/ws/bodies/cb1/certifications/c1-b#" in body
    assert inbox.messages[0]["From"] == "qcert@cb1.example"
    # The certification named as people know it, in both languages, not by its id.
    from tests.e2e.web.staffed_world import CLIENTS

    _, name_zh, name_en = CLIENTS["c1"]
    subject = inbox.messages[0]["Subject"]
    assert f"{name_zh} · ISO 9001:2015" in subject and f"{name_en} · ISO 9001:2015" in subject
    assert "c1-b）" not in subject
    again = notifier.run(TODAY)
    assert (again.sent, again.mailed) == (0, 0) and len(inbox.messages) == 2


def test_a_refused_message_is_reported_and_mailed_on_a_later_run(world, smtp):
    inbox, port = smtp
    notifier = _notifier(world, port)
    inbox.refuse = True
    first = notifier.run(TODAY)
    assert first.mailed == 0 and len(first.failed) == 2
    assert "550" in first.failed[0][1]
    assert _mailed(world) == []
    inbox.refuse = False
    later = notifier.run(TODAY)
    assert later.mailed == 2 and _mailed(world) == [("lead", "lead@example.com")] * 2


def test_an_unreachable_server_fails_nothing_else(world):
    notifier = _notifier(world, _free_port())  # nobody listens there
    report = notifier.run(TODAY)
    assert report.sent == 11 and report.mailed == 0 and len(report.failed) == 2
    assert _mailed(world) == []


def test_without_smtp_settings_nothing_is_mailed(world):
    assert world.services.notifier.mailer is None
    report = world.services.notifier.run(TODAY)
    assert report.sent == 11 and (report.mailed, report.failed) == (0, [])


def test_the_smtp_settings_are_read_and_refused_by_name(tmp_path):
    s = smtp_settings("smtps://u%40x:p%3Aw@mail.example", None)
    assert s == SmtpSettings("mail.example", 465, True, "u@x", "p:w", "qcert@mail.example")
    assert smtp_settings(None, None) is None
    assert smtp_settings("smtp://mail.example:2525", "n@x.example").port == 2525
    for bad in ("http://mail.example", "smtp://", "smtp://mail.example:99999"):
        with pytest.raises(QcertError, match="QCERT_SMTP_URL"):
            smtp_settings(bad, None)
    assert Settings(tmp_path, "sqlite://").smtp_url is None


def test_a_run_mails_batch_after_batch_while_the_server_takes_them(world, smtp, monkeypatch):
    from qcert import notifying

    inbox, port = smtp
    monkeypatch.setattr(notifying, "MAIL_BATCH", 1)  # one notice per connection
    report = _notifier(world, port).run(TODAY)
    assert report.mailed == 2 and len(inbox.messages) == 2
