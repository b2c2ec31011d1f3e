"""Which handlers each domain event goes to: the one place the reactions of the core are wired."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from application.events import Handler
from application.ports import Clock
from application.session_pricing import price_completed_session
from domain.charging.events import SessionCompleted
from domain.events import DomainEvent


def handlers(clock: Clock) -> dict[type[DomainEvent], Sequence[Handler]]:
    return {
        SessionCompleted: [functools.partial(price_completed_session, clock=clock)],
    }
