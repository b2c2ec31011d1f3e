"""Ports: the Protocols the use cases need, implemented by adapters and by the in-memory fakes."""

from application.ports.idempotency import IdempotencyStore, StoredResponse
from application.ports.mail import EmailMessage, Mailer, OutboundEmail
from application.ports.repositories import (
    AccessTokenRepository,
    ApiKeyRepository,
    InvitationRepository,
    MemberRepository,
    OrganizationRepository,
    OutboxRepository,
    UserRepository,
)
from application.ports.security import LoginThrottle, PasswordHasher
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.clock import Clock

__all__ = [
    "AccessTokenRepository",
    "ApiKeyRepository",
    "Clock",
    "EmailMessage",
    "IdempotencyStore",
    "InvitationRepository",
    "LoginThrottle",
    "Mailer",
    "MemberRepository",
    "OrganizationRepository",
    "OutboundEmail",
    "OutboxRepository",
    "PasswordHasher",
    "StoredResponse",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserRepository",
]
