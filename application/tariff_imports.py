"""A bulk import of OCPI tariffs, for batch jobs: all or nothing, and run again it changes nothing.

A document whose OCPI ``id`` names a tariff already in the organization revises it (a new version, so sessions
already priced keep theirs) when its content differs, and leaves it alone when it is the same; a document
without a known ``id`` creates a tariff. Every document is checked before anything is written: one bad
document refuses the whole import, naming it by its position (``documents[3].elements[0]…``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import MAX_LIMIT, PageRequest
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.errors import FieldError, InvalidInput
from domain.ids import PREFIXES, new_id
from domain.pricing import TariffRecord
from domain.tariffs import Tariff, parse_tariff


@frozen
class TariffImport:
    """What an import did; ``tariff_ids`` in the order of the documents."""

    created: int
    revised: int
    unchanged: int
    tariff_ids: tuple[str, ...]


async def import_tariffs(documents: Sequence[Any], actor: Actor, organization_id: str, *,
                         uow_factory: UnitOfWorkFactory, clock: Clock) -> TariffImport:
    """OCPI documents from partners: decimals may be JSON numbers and OCPI's extra keys are ignored."""
    tariffs = _parse_all(documents)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        existing = await _by_ocpi_id(uow, organization_id)
        created = revised = unchanged = 0
        ids: list[str] = []
        now = clock.now()
        for tariff in tariffs:
            record = existing.get(tariff.id) if tariff.id is not None else None
            if record is None:
                record = TariffRecord.create(id=new_id(PREFIXES["tariff"]), organization_id=organization_id,
                                             tariff=tariff, now=now)
                await uow.tariffs.add(record)
                if tariff.id is not None:
                    existing[tariff.id] = record
                created += 1
            elif record.current.tariff == tariff:
                unchanged += 1
            else:
                record.revise(tariff, now)
                await uow.tariffs.save(record)
                revised += 1
            ids.append(record.id)
        await uow.commit()
    return TariffImport(created=created, revised=revised, unchanged=unchanged, tariff_ids=tuple(ids))


def _parse_all(documents: Sequence[Any]) -> list[Tariff]:
    tariffs: list[Tariff] = []
    errors: list[FieldError] = []
    for index, document in enumerate(documents):
        try:
            tariffs.append(parse_tariff(document, allow_numbers=True))
        except InvalidInput as error:
            errors.extend(FieldError(_within(index, e.field), e.message) for e in error.errors)
    if errors:
        raise InvalidInput(errors)
    seen: dict[str, int] = {}
    for index, tariff in enumerate(tariffs):
        if tariff.id is not None and seen.setdefault(tariff.id, index) != index:
            errors.append(FieldError(f"documents[{index}].id", f"repeats documents[{seen[tariff.id]}].id"))
    if errors:
        raise InvalidInput(errors)
    return tariffs


def _within(index: int, field: str) -> str:
    return f"documents[{index}]" + (f".{field}" if field and not field.startswith("[") else field)


async def _by_ocpi_id(uow: UnitOfWork, organization_id: str) -> dict[str, TariffRecord]:
    """The organization's tariffs by the OCPI id of their current version (the newest record wins a tie)."""
    found: dict[str, TariffRecord] = {}
    page = PageRequest(limit=MAX_LIMIT)
    while True:
        batch = await uow.tariffs.list(organization_id, page)
        for record in batch.items:
            if record.current.tariff.id is not None:
                found[record.current.tariff.id] = record
        if batch.next_cursor is None:
            return found
        page = PageRequest(limit=MAX_LIMIT, after=batch.next_cursor)
