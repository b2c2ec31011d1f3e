"""The embedded default: each outgoing email is written as an .eml file, to be opened by hand."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from adapters.mail.message import to_mime
from application.ports.mail import EmailMessage

log = logging.getLogger("charge.mail")


class DirectoryMailer:
    def __init__(self, *, directory: str, sender: str) -> None:
        self.directory = Path(directory)
        self.sender = sender

    async def send(self, message: EmailMessage) -> None:
        mime = to_mime(message, self.sender)
        path = await asyncio.to_thread(self._write, mime.as_bytes(), mime["Message-ID"])
        log.info("mail kept on disk (no SMTP host configured)", extra={"to": message.to, "path": str(path)})

    def _write(self, data: bytes, message_id: str) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = message_id.strip("<>").replace("@", "_").replace("/", "_") + ".eml"
        tmp = self.directory / (name + ".tmp")
        tmp.write_bytes(data)
        final = self.directory / name
        os.replace(tmp, final)  # a reader never sees half a message
        return final
