"""Turns the application's EmailMessage into a standard MIME message, shared by every mail adapter."""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid

from application.ports.mail import EmailMessage


def to_mime(message: EmailMessage, sender: str) -> MimeMessage:
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(usegmt=True)
    mime["Message-ID"] = make_msgid(domain="charge.localhost")
    mime.set_content(message.text)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mime.add_attachment(attachment.content, maintype=maintype, subtype=subtype or "octet-stream",
                            filename=attachment.filename)
    return mime
