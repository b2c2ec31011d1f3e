"""Cursor pagination shared by every list: items ordered by their time-sortable id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from attrs import field, frozen

from domain.errors import InvalidInput

T = TypeVar("T")
U = TypeVar("U")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _check_limit(_i: object, _a: object, value: int) -> None:
    if not 1 <= value <= MAX_LIMIT:
        raise InvalidInput.field("limit", f"must be between 1 and {MAX_LIMIT}")


@frozen
class PageRequest:
    """``after`` is the id of the last item already seen (None for the first page)."""

    limit: int = field(default=DEFAULT_LIMIT, validator=_check_limit)
    after: str | None = None


@frozen
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None

    @classmethod
    def from_overfetch(cls, rows: list[T], request: PageRequest, key: Callable[[T], str]) -> Page[T]:
        """Adapters fetch ``limit + 1`` rows; the extra row only tells that another page exists."""
        if len(rows) > request.limit:
            items = rows[: request.limit]
            return cls(items, key(items[-1]))
        return cls(rows, None)

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        return Page([fn(i) for i in self.items], self.next_cursor)
