from support.models.asks import SURFACES, AskVariant
from support.models.campaigns import PAYMENT_METHODS, Campaign
from support.models.ledger import Contribution, ExchangeRate, Payment, ProviderEvent, Refund, Supporter
from support.models.reminders import Reminder
from support.models.stats import AskCounter

__all__ = [
    "PAYMENT_METHODS",
    "SURFACES",
    "AskCounter",
    "AskVariant",
    "Campaign",
    "Contribution",
    "ExchangeRate",
    "Payment",
    "ProviderEvent",
    "Refund",
    "Reminder",
    "Supporter",
]
