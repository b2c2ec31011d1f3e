"""Mail delivery adapters: SMTP for production, a directory of .eml files as the embedded default."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.mail.directory import DirectoryMailer
from adapters.mail.smtp import SmtpMailer

__all__ = ["DirectoryMailer", "SmtpMailer", "build_mailer"]


def build_mailer(config: Mapping[str, Any]) -> SmtpMailer | DirectoryMailer:
    """SMTP when a host is configured; otherwise mail is kept on disk so `make run` needs no mail server."""
    if config.get("smtp_host"):
        return SmtpMailer(
            host=config["smtp_host"], port=int(config["smtp_port"]), security=config["smtp_security"],
            username=config.get("smtp_username") or None, password=config.get("smtp_password") or None,
            sender=config["mail_from"], timeout=float(config["smtp_timeout"]),
        )
    return DirectoryMailer(directory=config["mail_dir"], sender=config["mail_from"])
