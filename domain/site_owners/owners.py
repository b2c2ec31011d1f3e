"""A site owner and their onboarding: a profile, payout details and the hosting agreement, each a stage that
says what it still misses; onboarding completes only when none misses anything."""

from __future__ import annotations

import enum
import re
from datetime import datetime

from attrs import define, frozen

from domain.errors import FieldErrors, InvalidInput, InvalidState
from domain.geography import is_country
from domain.validation import email_problem, name_problem

AGREEMENT_VERSION = "2025-01"       # the hosting agreement a site owner accepts; a new version is a new stage
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\Z")
_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?\Z")
_PHONE = re.compile(r"\+?[0-9 ()-]{6,30}\Z")


class SiteOwnerStatus(str, enum.Enum):
    INVITED = "invited"          # invitation sent, not accepted yet
    ONBOARDING = "onboarding"    # accepted, stages not all done
    ACTIVE = "active"            # onboarding completed


class OnboardingStage(str, enum.Enum):
    PROFILE = "profile"
    PAYOUT_DETAILS = "payout_details"
    AGREEMENT = "agreement"
    COMPLETED = "completed"


@frozen
class SiteOwnerProfile:
    legal_name: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    vat_id: str | None = None

    REQUIRED = ("legal_name", "contact_name", "phone", "address", "postal_code", "city", "country")

    def missing(self) -> list[str]:
        return [name for name in self.REQUIRED if not getattr(self, name)]

    @staticmethod
    def validate(values: dict[str, object]) -> None:
        """Each given field (None clears it) well formed; what is absent is only *missing*, not wrong."""
        errors = FieldErrors()
        for name in values:
            errors.check(name, name in SiteOwnerProfile.REQUIRED or name == "vat_id", "is not a profile field")
        for name in ("legal_name", "contact_name", "address", "city", "postal_code", "vat_id"):
            value = values.get(name)
            if value is not None and (problem := name_problem(value, 200)):
                errors.add(name, problem)
        phone = values.get("phone")
        if phone is not None:
            errors.check("phone", isinstance(phone, str) and bool(_PHONE.match(phone)),
                         "must be a phone number (digits, spaces, + ( ) -)")
        country = values.get("country")
        if country is not None:
            errors.check("country", is_country(country), f"{country!r} is not an ISO 3166-1 alpha-2 country code")
        errors.raise_if_any()


def iban_valid(iban: str) -> bool:
    """ISO 13616: the shape, then the mod-97 check of the rearranged digits."""
    if not _IBAN.match(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def normalize_iban(value: str) -> str:
    return value.replace(" ", "").upper()


@frozen
class PayoutDetails:
    account_holder: str
    iban: str
    bic: str | None = None

    @classmethod
    def parse(cls, account_holder: object, iban: object, bic: object) -> PayoutDetails:
        errors = FieldErrors()
        if problem := name_problem(account_holder, 200):
            errors.add("account_holder", problem)
        if not isinstance(iban, str) or not iban_valid(normalize_iban(iban)):
            errors.add("iban", "is not a valid IBAN (its check digits do not match)")
        if bic is not None and not (isinstance(bic, str) and _BIC.match(bic.replace(" ", "").upper())):
            errors.add("bic", "is not a valid BIC (8 or 11 characters)")
        errors.raise_if_any()
        assert isinstance(account_holder, str) and isinstance(iban, str)
        return cls(account_holder.strip(), normalize_iban(iban),
                   bic.replace(" ", "").upper() if isinstance(bic, str) else None)

    @property
    def masked_iban(self) -> str:
        return self.iban[:4] + "…" + self.iban[-4:]


@frozen
class StageStatus:
    stage: OnboardingStage
    done: bool
    missing: tuple[str, ...]


@define
class SiteOwner:
    id: str
    organization_id: str
    name: str
    email: str
    created_at: datetime
    status: SiteOwnerStatus = SiteOwnerStatus.INVITED
    profile: SiteOwnerProfile = SiteOwnerProfile()
    payout: PayoutDetails | None = None
    agreement_version: str | None = None
    agreement_accepted_at: datetime | None = None
    onboarded_at: datetime | None = None

    @staticmethod
    def validate_invitation(email: object, name: object) -> None:
        errors = FieldErrors()
        if problem := email_problem(email):
            errors.add("email", problem)
        if problem := name_problem(name):
            errors.add("name", problem)
        errors.raise_if_any()

    def stages(self) -> list[StageStatus]:
        """Every stage with what it misses, in the order a site owner goes through them."""
        profile = tuple(self.profile.missing())
        payout = () if self.payout is not None else ("account_holder", "iban")
        agreement = () if self.agreement_version == AGREEMENT_VERSION else ("agreement_accepted",)
        incomplete = [name.value for name, missing in ((OnboardingStage.PROFILE, profile),
                                                       (OnboardingStage.PAYOUT_DETAILS, payout),
                                                       (OnboardingStage.AGREEMENT, agreement)) if missing]
        completed = () if self.status is SiteOwnerStatus.ACTIVE else tuple(incomplete) or ("onboarding_complete",)
        return [StageStatus(OnboardingStage.PROFILE, not profile, profile),
                StageStatus(OnboardingStage.PAYOUT_DETAILS, not payout, payout),
                StageStatus(OnboardingStage.AGREEMENT, not agreement, agreement),
                StageStatus(OnboardingStage.COMPLETED, self.status is SiteOwnerStatus.ACTIVE, completed)]

    @property
    def current_stage(self) -> OnboardingStage:
        return next(s.stage for s in self.stages() if not s.done) if self.status is not SiteOwnerStatus.ACTIVE \
            else OnboardingStage.COMPLETED

    def accepted(self) -> None:
        if self.status is SiteOwnerStatus.INVITED:
            self.status = SiteOwnerStatus.ONBOARDING

    def accept_agreement(self, version: object, now: datetime) -> None:
        if version != AGREEMENT_VERSION:
            raise InvalidInput.field("version", f"the current agreement is version {AGREEMENT_VERSION}")
        self.agreement_version = AGREEMENT_VERSION
        self.agreement_accepted_at = now

    def complete_onboarding(self, now: datetime) -> None:
        """422 naming every stage's missing field until all are done; completing twice keeps the first."""
        if self.status is SiteOwnerStatus.INVITED:
            raise InvalidState("the invitation was not accepted yet")
        if self.status is SiteOwnerStatus.ACTIVE:
            return
        errors = FieldErrors()
        for stage in self.stages()[:-1]:
            for name in stage.missing:
                errors.add(f"{stage.stage.value}.{name}", "is missing")
        if errors.errors:
            raise InvalidInput(errors.errors, "onboarding is not complete: some stages miss information")
        self.status = SiteOwnerStatus.ACTIVE
        self.onboarded_at = now
