"""An OCPP server over the in-memory core for each test."""

from __future__ import annotations

import pytest

from tests.integration.ocpp.world import close_world, ocpp_world


@pytest.fixture
async def world():
    net = await ocpp_world()
    try:
        yield net
    finally:
        await close_world(net)
