"""The browser tests' set-up: chromium and axe-core installed when missing, one browser per session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import async_playwright

from tests.e2e.web.browser import ensure_axe, ensure_chromium, launch_options


@pytest.fixture(scope="session")
def chromium() -> str:
    return ensure_chromium()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return ensure_axe()


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Any]:
    """A headless chromium for the test (on the test's own event loop)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(**launch_options(chromium))
        try:
            yield launched
        finally:
            await launched.close()
