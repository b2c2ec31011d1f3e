"""A real SMTP server (aiosmtpd) on a free local port that keeps what it receives, for tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = asyncio.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = _Inbox()
        # aiosmtpd probes its own port once started, so it needs a concrete one, not 0.
        self._port = _free_port()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self._port)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    async def wait_for(self, to: str, timeout: float = 10.0) -> EmailMessage:
        return await self.wait_for_subject(to, "", timeout)

    async def wait_for_subject(self, to: str, subject_part: str, timeout: float = 10.0) -> EmailMessage:
        """The first email to ``to`` whose subject contains ``subject_part``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for message in self.messages:
                if message["To"] == to and subject_part in str(message["Subject"]):
                    return message
            await asyncio.sleep(0.05)
        raise AssertionError(f"no email to {to} ({subject_part!r}) arrived within {timeout}s")
