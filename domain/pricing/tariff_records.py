"""A stored tariff: every update is a new version, so a session keeps the version in force at its start."""

from __future__ import annotations

from datetime import datetime

from attrs import define, field, frozen

from domain.errors import NotFound
from domain.tariffs import Tariff


@frozen
class TariffVersion:
    version: int
    tariff: Tariff
    valid_from: datetime


@define
class TariffRecord:
    id: str
    organization_id: str
    created_at: datetime
    versions: list[TariffVersion] = field(factory=list)

    @classmethod
    def create(cls, *, id: str, organization_id: str, tariff: Tariff, now: datetime) -> TariffRecord:
        return cls(id=id, organization_id=organization_id, created_at=now,
                   versions=[TariffVersion(1, tariff, now)])

    @property
    def current(self) -> TariffVersion:
        return self.versions[-1]

    def revise(self, tariff: Tariff, now: datetime) -> TariffVersion:
        """An update never changes a version: sessions already priced, or running, keep theirs."""
        version = TariffVersion(self.current.version + 1, tariff, now)
        self.versions.append(version)
        return version

    def version_at(self, instant: datetime) -> TariffVersion:
        """The version in force at ``instant``; before the first, the first (a replayed early session)."""
        chosen = self.versions[0]
        for version in self.versions:
            if version.valid_from <= instant:
                chosen = version
        return chosen

    def version(self, number: int) -> TariffVersion:
        for version in self.versions:
            if version.version == number:
                return version
        raise NotFound("tariff_version", f"{self.id}@{number}")
