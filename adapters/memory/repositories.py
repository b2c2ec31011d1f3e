"""Dict-backed repositories. They copy on the way in and out, so nothing leaks past a rollback."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from application.pagination import Page, PageRequest
from application.ports.mail import OutboundEmail, OutboundStatus
from domain.errors import Conflict
from domain.identity import AccessToken, ApiKey, Invitation, InvitationStatus, Member, Organization, Role, User

T = TypeVar("T")


def _page(rows: Iterable[T], page: PageRequest, key: Callable[[T], str]) -> Page[T]:
    ordered = sorted(rows, key=key)
    if page.after is not None:
        ordered = [r for r in ordered if key(r) > page.after]
    return Page.from_overfetch([copy.deepcopy(r) for r in ordered[: page.limit + 1]], page, key)


def _newest_first(rows: Iterable[T], page: PageRequest, key: Callable[[T], str]) -> Page[T]:
    """Newest first: the ids are time-sortable, so "after" means a smaller id."""
    ordered = sorted(rows, key=key, reverse=True)
    if page.after is not None:
        after = page.after
        ordered = [r for r in ordered if key(r) < after]
    return Page.from_overfetch([copy.deepcopy(r) for r in ordered[: page.limit + 1]], page, key)


class _Table:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _get(self, key: str) -> Any:
        row = self.data.get(key)
        return copy.deepcopy(row) if row is not None else None

    def _put(self, key: str, row: Any) -> None:
        self.data[key] = copy.deepcopy(row)


class InMemoryUsers(_Table):
    async def add(self, user: User) -> None:
        if any(u.email == user.email for u in self.data.values()):
            raise Conflict("an account with this email already exists")
        self._put(user.id, user)

    async def get(self, user_id: str) -> User | None:
        return self._get(user_id)

    async def get_by_email(self, email: str) -> User | None:
        return next((copy.deepcopy(u) for u in self.data.values() if u.email == email), None)

    async def get_many(self, user_ids: Iterable[str]) -> dict[str, User]:
        return {i: copy.deepcopy(self.data[i]) for i in set(user_ids) if i in self.data}


class InMemoryOrganizations(_Table):
    def __init__(self, data: dict[str, Any], members: dict[str, Any]) -> None:
        super().__init__(data)
        self.members = members

    async def add(self, organization: Organization) -> None:
        if organization.id in self.data:
            raise Conflict("organization exists")
        self._put(organization.id, organization)

    async def get(self, organization_id: str) -> Organization | None:
        return self._get(organization_id)

    get_for_update = get

    async def save(self, organization: Organization) -> None:
        self._put(organization.id, organization)

    async def list_for_user(self, user_id: str, page: PageRequest) -> Page[tuple[Organization, Role]]:
        rows = [(self.data[m.organization_id], m.role) for m in self.members.values()
                if m.user_id == user_id and m.organization_id in self.data]
        return _page(rows, page, lambda r: r[0].id)


class InMemoryMembers(_Table):
    async def add(self, member: Member) -> None:
        if (member.organization_id, member.user_id) in self.data:
            raise Conflict("already a member")
        self._put((member.organization_id, member.user_id), member)  # type: ignore[arg-type]

    async def get(self, organization_id: str, user_id: str) -> Member | None:
        return self._get((organization_id, user_id))  # type: ignore[arg-type]

    async def save(self, member: Member) -> None:
        self._put((member.organization_id, member.user_id), member)  # type: ignore[arg-type]

    async def remove(self, organization_id: str, user_id: str) -> None:
        self.data.pop((organization_id, user_id), None)  # type: ignore[call-overload]

    async def count_with_role(self, organization_id: str, role: Role) -> int:
        return sum(1 for m in self.data.values() if m.organization_id == organization_id and m.role is role)

    async def list(self, organization_id: str, page: PageRequest) -> Page[Member]:
        return _page([m for m in self.data.values() if m.organization_id == organization_id], page,
                     lambda m: m.id)


class InMemoryInvitations(_Table):
    async def add(self, invitation: Invitation) -> None:
        self._put(invitation.id, invitation)

    async def get(self, organization_id: str, invitation_id: str) -> Invitation | None:
        inv = self.data.get(invitation_id)
        return copy.deepcopy(inv) if inv is not None and inv.organization_id == organization_id else None

    async def get_by_token_hash(self, token_hash: str) -> Invitation | None:
        return next((copy.deepcopy(i) for i in self.data.values() if i.token_hash == token_hash), None)

    async def find_pending(self, organization_id: str, email: str) -> Invitation | None:
        return next((copy.deepcopy(i) for i in self.data.values() if i.organization_id == organization_id
                     and i.email == email and i.status is InvitationStatus.PENDING), None)

    async def save(self, invitation: Invitation) -> None:
        self._put(invitation.id, invitation)

    async def list(self, organization_id: str, page: PageRequest) -> Page[Invitation]:
        return _page([i for i in self.data.values() if i.organization_id == organization_id], page,
                     lambda i: i.id)


class InMemoryApiKeys(_Table):
    async def add(self, key: ApiKey) -> None:
        self._put(key.id, key)

    async def get(self, organization_id: str, key_id: str) -> ApiKey | None:
        key = self.data.get(key_id)
        return copy.deepcopy(key) if key is not None and key.organization_id == organization_id else None

    async def get_by_hash(self, secret_hash: str) -> ApiKey | None:
        return next((copy.deepcopy(k) for k in self.data.values() if k.secret_hash == secret_hash), None)

    async def save(self, key: ApiKey) -> None:
        self._put(key.id, key)

    async def list(self, organization_id: str, page: PageRequest) -> Page[ApiKey]:
        return _page([k for k in self.data.values() if k.organization_id == organization_id], page,
                     lambda k: k.id)


class InMemoryAccessTokens(_Table):
    async def add(self, token: AccessToken) -> None:
        self._put(token.secret_hash, token)

    async def get_by_hash(self, secret_hash: str) -> AccessToken | None:
        return self._get(secret_hash)


class InMemoryOutbox(_Table):
    async def add(self, email: OutboundEmail) -> None:
        self._put(email.id, email)

    async def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[OutboundEmail]:
        due = sorted((e for e in self.data.values() if e.status is OutboundStatus.PENDING
                      and (e.next_attempt_at is None or e.next_attempt_at <= now)), key=lambda e: e.id)[:limit]
        for e in due:
            e.next_attempt_at = lease_until
        return [copy.deepcopy(e) for e in due]

    async def save(self, email: OutboundEmail) -> None:
        self._put(email.id, email)

    async def list(self, page: PageRequest) -> Page[OutboundEmail]:
        return _page(list(self.data.values()), page, lambda e: e.id)
