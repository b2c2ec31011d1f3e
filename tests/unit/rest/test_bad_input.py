"""Every endpoint with a body, fed every bad body its declaration suggests: a 4xx problem naming the field."""

from __future__ import annotations

import pytest

from tests.e2e.rest.bad_inputs import BODY_ENDPOINTS, attack


def test_every_endpoint_with_a_body_is_attacked():
    assert set(BODY_ENDPOINTS) == {"signup", "issueToken", "createOrganization", "updateOrganization",
                                   "updateMemberRole", "createInvitation", "acceptInvitation", "updateSettings",
                                   "createApiKey"}


@pytest.mark.parametrize("operation_id", sorted(BODY_ENDPOINTS))
async def test_bad_bodies_are_4xx_problems(api, operation_id):
    failures = await attack(api, operation_id)
    assert not failures, "\n".join(failures)
