"""SMTP delivery (aiosmtplib): plain, STARTTLS or implicit TLS, with optional login."""

from __future__ import annotations

import aiosmtplib

from adapters.mail.message import to_mime
from application.ports.mail import EmailMessage

SECURITY_MODES = ("none", "starttls", "tls")


class SmtpMailer:
    def __init__(self, *, host: str, port: int, security: str = "none", username: str | None = None,
                 password: str | None = None, sender: str, timeout: float = 10.0) -> None:
        if security not in SECURITY_MODES:
            raise ValueError(f"smtp security must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.sender, self.timeout = username, password, sender, timeout

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            to_mime(message, self.sender),
            hostname=self.host,
            port=self.port,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",
            username=self.username,
            password=self.password,
            timeout=self.timeout,
        )
