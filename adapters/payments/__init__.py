"""Payment-provider adapters: bank transfer (embedded, the default) and Stripe; bank statements read."""

from adapters.payments.bank_transfer import BankTransferProvider
from adapters.payments.statements import StatementFiles
from adapters.payments.stripe import StripeProvider, build_stripe

__all__ = ["BankTransferProvider", "StatementFiles", "StripeProvider", "build_stripe"]
