from support.models.asks import SURFACES, AskVariant
from support.models.campaigns import PAYMENT_METHODS, Campaign, CostItem
from support.models.dunning import Dunning, RenewalNotice, WinBackMail
from support.models.ledger import (
    AmountChange,
    Contribution,
    EndReason,
    ExchangeRate,
    Payment,
    ProviderEvent,
    Refund,
    Supporter,
)
from support.models.reminders import Reminder
from support.models.statements import UnmatchedTransfer
from support.models.stats import AskCounter
from support.models.tallies import GiftTally, PaymentTally, PlanTally

__all__ = [
    "PAYMENT_METHODS",
    "SURFACES",
    "AmountChange",
    "AskCounter",
    "AskVariant",
    "Campaign",
    "Contribution",
    "CostItem",
    "Dunning",
    "EndReason",
    "ExchangeRate",
    "GiftTally",
    "Payment",
    "PaymentTally",
    "PlanTally",
    "ProviderEvent",
    "Refund",
    "Reminder",
    "RenewalNotice",
    "Supporter",
    "UnmatchedTransfer",
    "WinBackMail",
]
