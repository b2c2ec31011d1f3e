"""The Mailer contract, run against every adapter: a real SMTP server, and the .eml directory."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from adapters.mail import DirectoryMailer, SmtpMailer, build_mailer
from application.ports.mail import Attachment, EmailMessage
from entrypoints.config import Settings
from tests.integration.mail.smtp_server import SmtpServer

MESSAGE = EmailMessage(to="dana@example.com", subject="Your invitation — Voltline", text="Token: civ_abc\nBye ✓\n")


class SmtpHarness:
    def __init__(self) -> None:
        self.server = SmtpServer().start()
        self.mailer = SmtpMailer(host="127.0.0.1", port=self.server.port, sender="Charge <no-reply@charge.test>")

    async def received(self):
        return await self.server.wait_for(MESSAGE.to)

    def close(self) -> None:
        self.server.stop()


class DirectoryHarness:
    def __init__(self, tmp_path: Path) -> None:
        self.directory = tmp_path / "outbox"
        self.mailer = DirectoryMailer(directory=str(self.directory), sender="Charge <no-reply@charge.test>")

    async def received(self):
        files = list(self.directory.glob("*.eml"))
        assert len(files) == 1, files
        return email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)

    def close(self) -> None:
        pass


@pytest.fixture(params=["smtp", "directory"])
def harness(request, tmp_path):
    h = SmtpHarness() if request.param == "smtp" else DirectoryHarness(tmp_path)
    yield h
    h.close()


async def test_a_sent_message_arrives_with_recipient_subject_and_body(harness):
    await harness.mailer.send(MESSAGE)
    received = await harness.received()
    assert received["To"] == MESSAGE.to
    assert received["Subject"] == MESSAGE.subject
    assert received["From"] == "Charge <no-reply@charge.test>"
    assert received.get_content().replace("\r\n", "\n") == MESSAGE.text  # SMTP carries CRLF line ends


async def test_attachments_arrive_whole_with_their_name_and_type(harness):
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
    await harness.mailer.send(EmailMessage(to=MESSAGE.to, subject="Invoice INV-000001", text="Attached.\n",
                                           attachments=(Attachment("INV-000001.pdf", "application/pdf", pdf),)))
    received = await harness.received()
    assert received.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Attached.\n"
    [part] = list(received.iter_attachments())
    assert (part.get_filename(), part.get_content_type()) == ("INV-000001.pdf", "application/pdf")
    assert part.get_content() == pdf


async def test_smtp_delivery_failure_raises_so_the_relay_retries():
    server = SmtpServer().start()
    port = server.port
    server.stop()
    with pytest.raises(OSError):  # aiosmtplib's SMTPConnectError is a ConnectionError
        await SmtpMailer(host="127.0.0.1", port=port, sender="x@charge.test", timeout=2).send(MESSAGE)


def test_build_mailer_chooses_smtp_only_when_a_host_is_configured(tmp_path):
    assert isinstance(build_mailer(Settings(mail_dir=str(tmp_path)).as_config()), DirectoryMailer)
    assert isinstance(build_mailer(Settings(smtp_host="mail.example.com").as_config()), SmtpMailer)
    with pytest.raises(ValueError):
        SmtpMailer(host="h", port=25, security="ssl3", sender="x@charge.test")
