"""Organization settings: read by any member, replaced (PUT) by an admin."""

from __future__ import annotations

from attrs import evolve, frozen

from application.authorization import Action, Actor, authorize
from application.payment_providers import PaymentProviders
from application.ports import Clock, UnitOfWorkFactory
from application.ports.registries import BankAccounts, TaxIds
from domain.errors import InvalidInput, NotFound
from domain.identity import OrganizationSettings


@frozen
class SettingsView:
    organization_id: str
    settings: OrganizationSettings


async def get_settings(organization_id: str, actor: Actor, *, uow_factory: UnitOfWorkFactory) -> SettingsView:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        organization = await uow.organizations.get(organization_id)
    if organization is None:
        raise NotFound("organization", organization_id)
    return SettingsView(organization_id, organization.settings)


async def update_settings(organization_id: str, settings: OrganizationSettings, actor: Actor, *,
                          uow_factory: UnitOfWorkFactory, clock: Clock, tax_ids: TaxIds,
                          bank_accounts: BankAccounts, payments: PaymentProviders | None = None) -> SettingsView:
    settings = _checked_billing(settings, tax_ids, bank_accounts)
    if payments is not None and not payments.has(settings.billing.payment_provider):
        raise InvalidInput.field("payment_provider", f"{settings.billing.payment_provider} is not configured on "
                                                     "this server (CHARGE_STRIPE_SECRET_KEY)")
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.MANAGE_SETTINGS)
        organization = await uow.organizations.get_for_update(organization_id)
        if organization is None:
            raise NotFound("organization", organization_id)
        organization.replace_settings(settings, clock.now())
        if settings.default_tariff_id is not None and await uow.tariffs.get(organization_id,
                                                                            settings.default_tariff_id) is None:
            raise InvalidInput.field("default_tariff_id", "no such tariff in this organization")
        await uow.organizations.save(organization)
        await uow.commit()
    return SettingsView(organization_id, organization.settings)


def _checked_billing(settings: OrganizationSettings, tax_ids: TaxIds,
                     bank_accounts: BankAccounts) -> OrganizationSettings:
    """The seller's VAT id (python-stdnum), IBAN and BIC (schwifty) checked and made compact."""
    billing, problems = settings.billing, []
    checked: dict[str, str | None] = {}
    for name, check in (("vat_id", tax_ids.vat_id), ("iban", bank_accounts.iban), ("bic", bank_accounts.bic)):
        value = getattr(billing, name)
        try:
            checked[name] = check(value, name) if value is not None else None
        except InvalidInput as error:
            problems.extend(error.errors)
    if problems:
        raise InvalidInput(problems)
    return evolve(settings, billing=evolve(billing, vat_id=checked["vat_id"], iban=checked["iban"],
                                           bic=checked["bic"]))
