from __future__ import annotations

import pytest

from adapters.documents import FacturXDocuments


@pytest.fixture(scope="session")
def documents() -> FacturXDocuments:
    return FacturXDocuments()
