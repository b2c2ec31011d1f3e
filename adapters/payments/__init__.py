"""Payment-provider adapters: bank transfer (embedded, the default); Stripe comes beside it."""

from adapters.payments.bank_transfer import BankTransferProvider

__all__ = ["BankTransferProvider"]
