"""Outbound webhooks: endpoints an organization subscribes to events, and the deliveries made to them."""

from domain.webhooks.deliveries import FIRST_RETRY, Attempt, Delivery, DeliveryStatus, retry_delay
from domain.webhooks.endpoints import EndpointStatus, SigningSecret, WebhookEndpoint
from domain.webhooks.signatures import sign, signature_header, verify

__all__ = ["FIRST_RETRY", "Attempt", "Delivery", "DeliveryStatus", "EndpointStatus", "SigningSecret", "WebhookEndpoint",
           "retry_delay", "sign", "signature_header", "verify"]
