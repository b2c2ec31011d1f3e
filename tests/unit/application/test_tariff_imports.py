"""A bulk import of OCPI tariffs: all or nothing, naming the document at fault; run again, it changes nothing."""

from __future__ import annotations

import functools
from decimal import Decimal

import pytest

from application import tariff_imports, tariffs
from application.pagination import PageRequest
from domain.errors import InvalidInput, NotFound
from tests.unit.application.helpers import organization, user


def ocpi(tariff_id: str | None, price: float | str, currency: str = "EUR") -> dict:
    """As a partner sends it: decimals as JSON numbers, and keys OCPI has but Charge does not keep."""
    document = {"country_code": "DE", "party_id": "CHG", "currency": currency, "last_updated": "2026-11-01T00:00:00Z",
                "elements": [{"price_components": [{"type": "ENERGY", "price": price, "step_size": 1}]}]}
    return document | ({"id": tariff_id} if tariff_id is not None else {})


@pytest.fixture
async def world(env):
    env.operator = await user(env, "operator@voltline.example")
    env.org = await organization(env, env.operator)
    env.import_tariffs = functools.partial(tariff_imports.import_tariffs, uow_factory=env.uow, clock=env.clock)
    env.get_tariff = functools.partial(tariffs.get_tariff, uow_factory=env.uow)
    env.list_tariffs = functools.partial(tariffs.list_tariffs, uow_factory=env.uow)
    return env


async def test_an_import_creates_then_revises_only_what_changed(world):
    first = await world.import_tariffs([ocpi("DAY", 0.3), ocpi("NIGHT", 0.19)], world.operator, world.org.id)
    assert (first.created, first.revised, first.unchanged) == (2, 0, 0)
    again = await world.import_tariffs([ocpi("DAY", 0.3), ocpi("NIGHT", 0.19)], world.operator, world.org.id)
    assert (again.created, again.revised, again.unchanged) == (0, 0, 2)
    assert again.tariff_ids == first.tariff_ids

    changed = await world.import_tariffs([ocpi("NIGHT", 0.21), ocpi("WEEKEND", "0.25")], world.operator,
                                         world.org.id)
    assert (changed.created, changed.revised, changed.unchanged) == (1, 1, 0)
    night = await world.get_tariff(first.tariff_ids[1], world.operator, world.org.id)
    assert [v.version for v in night.versions] == [1, 2]
    prices = [v.tariff.elements[0].price_components[0].price for v in night.versions]
    assert prices == [Decimal("0.19"), Decimal("0.21")]   # JSON numbers read exactly, the old version kept
    listed = await world.list_tariffs(world.operator, world.org.id, PageRequest(limit=100))
    assert len(listed.items) == 3


async def test_documents_without_an_id_are_created_each_time(world):
    await world.import_tariffs([ocpi(None, 0.3)], world.operator, world.org.id)
    await world.import_tariffs([ocpi(None, 0.3)], world.operator, world.org.id)
    listed = await world.list_tariffs(world.operator, world.org.id, PageRequest(limit=100))
    assert len(listed.items) == 2


async def test_one_bad_document_refuses_the_whole_import_naming_it(world):
    with pytest.raises(InvalidInput) as refused:
        await world.import_tariffs([ocpi("DAY", 0.3), ocpi("NIGHT", "-1"), {"currency": "EUR"}],
                                   world.operator, world.org.id)
    fields = {e.field for e in refused.value.errors}
    assert any(f.startswith("documents[1].") for f in fields), fields
    assert any(f.startswith("documents[2]") for f in fields), fields
    assert not any(f.startswith("documents[0]") for f in fields), fields
    listed = await world.list_tariffs(world.operator, world.org.id, PageRequest(limit=100))
    assert listed.items == []


async def test_an_id_twice_in_one_import_is_refused(world):
    with pytest.raises(InvalidInput) as refused:
        await world.import_tariffs([ocpi("DAY", 0.3), ocpi("DAY", 0.4)], world.operator, world.org.id)
    assert [e.field for e in refused.value.errors] == ["documents[1].id"]


async def test_another_organization_cannot_import_into_this_one(world):
    stranger = await user(world, "stranger@elsewhere.example")
    await organization(world, stranger)
    with pytest.raises(NotFound):
        await world.import_tariffs([ocpi("DAY", 0.3)], stranger, world.org.id)
