"""Posting webhooks over HTTP (httpx), behind a guard against server-side request forgery."""

from adapters.webhooks.http_sender import HttpWebhookSender

__all__ = ["HttpWebhookSender"]
