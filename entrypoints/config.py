"""Runtime configuration: defaults, overridden by ``CHARGE_*`` environment variables, then by flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from attrs import asdict, define, fields

from entrypoints.rest.clients import parse_trusted

DEFAULT_DATABASE_URL = "sqlite:///./charge.db"


@define
class Settings:
    host: str = "127.0.0.1"
    http_port: int = 8000
    ocpp_port: int = 9000
    grpc_port: int = 50051
    database_url: str = DEFAULT_DATABASE_URL
    public_url: str = "http://localhost:8000"
    log_level: str = "INFO"
    log_format: str = "json"                  # json | text
    # Mail: with no SMTP host, outgoing mail is written as .eml files under mail_dir.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_security: str = "none"               # none | starttls | tls
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout: float = 10.0
    mail_from: str = "Charge <no-reply@charge.localhost>"
    mail_dir: str = "./mail-outbox"
    mail_poll_seconds: float = 1.0
    # Security.
    access_token_ttl_seconds: int = 3600
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 2
    login_max_failures_per_email: int = 5
    login_max_failures_per_address: int = 30
    login_window_seconds: int = 900
    max_body_bytes: int = 1_048_576
    # How long a checked bearer secret is trusted without the database: a key revoked on another node
    # still works here for at most this long (on the node that revoked it, never). 0 turns the cache off.
    auth_cache_seconds: float = 5.0
    # /healthz answers from a database ping at most this old (a failed ping is never remembered). 0: a ping
    # per probe (probes arriving together still share one).
    health_cache_seconds: float = 1.0
    # Proxies whose X-Forwarded-For names the client (comma-separated addresses or CIDRs); none by default.
    trusted_proxies: str = ""
    # Domain events: how long a dispatcher holds an event it handles (another takes it over after), and
    # how often the server looks for events a crash or a failed handler left pending.
    event_lease_seconds: float = 60.0
    event_sweep_seconds: float = 5.0
    # Live streams (gRPC WatchSessions, WatchStatus) read new events at once when this process commits them;
    # this often for those other nodes commit.
    stream_poll_seconds: float = 1.0
    # Payments: Stripe is used by organizations whose payment_provider is "stripe", only when a secret key is
    # set; the API base points the SDK elsewhere (a test server speaking Stripe's API). How often the server
    # looks for payment retries that are due.
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = "https://api.stripe.com"
    payment_retry_sweep_seconds: float = 300.0
    # OCPP.
    ocpp_call_timeout_seconds: float = 30.0
    ocpp_tls_cert: str = ""
    ocpp_tls_key: str = ""
    # The driver portal: magic links asked per email and client address in a window; how long raw OCPP frames
    # and meter samples are kept beyond the organization's dispute window.
    magic_link_max_per_email: int = 5
    magic_link_max_per_address: int = 30
    magic_link_window_seconds: int = 900
    portal_token_ttl_days: int = 30
    evidence_retention_days: int = 365
    evidence_prune_seconds: float = 3600.0
    # Outbound webhooks: URLs on loopback, private or link-local addresses are refused unless this is true (SSRF);
    # the server runs the delivery worker unless webhook_worker is false (then ``charge webhooks deliver`` does).
    # A failed delivery is retried after about webhook_first_retry_seconds, then twice as long each time.
    webhook_allow_private_urls: bool = False
    webhook_worker: bool = True
    webhook_poll_seconds: float = 1.0
    webhook_timeout_seconds: float = 10.0
    webhook_first_retry_seconds: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"CHARGE_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _convert(f.type, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        try:  # a typo must stop the start with one line, not surface as a traceback when REST is built
            parse_trusted(settings.trusted_proxies)
        except ValueError as exc:
            raise SystemExit(str(exc)) from None
        if not 0 < settings.webhook_first_retry_seconds <= 21600:
            raise SystemExit("CHARGE_WEBHOOK_FIRST_RETRY_SECONDS must be above 0 and at most 21600 (6 h), got "
                             f"{settings.webhook_first_retry_seconds!r}")
        return settings

    def local_host(self) -> str:
        """Where this machine reaches the doors: a wildcard bind address is loopback; IPv6 in brackets."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        return f"[{host}]" if ":" in host else host

    def as_config(self) -> dict[str, Any]:
        return asdict(self)


def _convert(kind: Any, raw: str, name: str) -> Any:
    kind = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise SystemExit(f"CHARGE_{name.upper()} must be true or false, got {raw!r}")
            return raw.lower() in ("true", "1", "yes")
    except ValueError:
        raise SystemExit(f"CHARGE_{name.upper()} must be a number, got {raw!r}") from None
    return raw
