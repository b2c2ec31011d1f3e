"""Ids sort by creation time; invitation state follows the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidState
from domain.identity import Invitation, InvitationStatus, Role
from domain.ids import is_id, new_id, ulid


def test_ids_are_prefixed_and_sort_by_time():
    earlier, later = ulid(1_700_000_000_000), ulid(1_700_000_000_001)
    assert earlier < later
    identifier = new_id("org")
    assert is_id(identifier, "org") and not is_id(identifier, "usr") and not is_id("org_short")


def test_invitation_state_machine():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    inv = Invitation(id="inv_x", organization_id="org_x", email="a@b.co", role=Role.MEMBER, token_hash="h",
                     invited_by=None, created_at=now, expires_at=now + timedelta(days=7))
    assert inv.status_at(now + timedelta(days=6)) is InvitationStatus.PENDING
    assert inv.status_at(now + timedelta(days=7)) is InvitationStatus.EXPIRED
    inv.accept("usr_y", now)
    assert inv.status is InvitationStatus.ACCEPTED
    with pytest.raises(InvalidState):
        inv.cancel(now)


def test_patterns_refuse_a_trailing_newline():
    from domain.errors import InvalidInput
    from domain.network import ChargePoint, Driver
    from domain.validation import email_problem

    assert not is_id(new_id("org") + "\n")
    assert email_problem("a@b.co\nBcc: x@y.z") is not None
    with pytest.raises(InvalidInput):
        ChargePoint.validate_registration("CP1\n", None, [])
    with pytest.raises(InvalidInput):
        Driver.validate(name="D", email=None, fleet_id=None, id_tags=["TAG\n"])


def test_the_id_pattern_published_for_a_prefix_agrees_with_is_id():
    import re

    from domain.ids import id_pattern

    identifier = new_id("loc")
    assert re.search(id_pattern("loc"), identifier) and is_id(identifier, "loc")
    assert not re.search(id_pattern("loc"), new_id("org")) and not re.search(id_pattern("loc"), "loc_short")
