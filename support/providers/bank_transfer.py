"""Bank transfer: the newsroom's account details and the contribution's reference; staff confirm when it arrives.

Options (``settings.PAYMENT_PROVIDERS["bank_transfer"]``): ``account_holder``, ``iban`` (required), ``bic``,
``bank_name``, ``currencies`` (the currencies the account takes; absent: any the newsroom offers). The setting
``BANK_ACCOUNT_HOLDER``, when set, is the holder's name instead (a neutral name, docs/production.md).

A monthly or annual contribution is a standing order the supporter sets up at their bank, quoting the same reference
every time; each transfer that arrives is one payment.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from support.providers.base import ManualProvider

REQUIRED = ("account_holder", "iban")


def group_iban(iban: str) -> str:
    """“DE00000000000000000000” → “DE00 0000 0000 0000 0000 00”: how banks print it, easier to copy by eye."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


class BankTransfer(ManualProvider):
    key = "bank_transfer"
    label = _("Bank transfer")

    def configuration_errors(self):
        errors = super().configuration_errors()
        for name in REQUIRED:
            if name == "account_holder" and settings.BANK_ACCOUNT_HOLDER:
                continue  # the neutral name set on its own
            if not isinstance(self.options.get(name), str) or not self.options[name].strip():
                errors.append(f"bank_transfer: give the account's “{name}”.")
        for name in ("bic", "bank_name"):
            if not isinstance(self.options.get(name, ""), str):
                errors.append(f"bank_transfer: “{name}” must be text.")
        return errors

    def account_details(self) -> dict:
        """The account as readers type it into a transfer; the same for everyone, so public pages show it too."""
        return {
            "account_holder": settings.BANK_ACCOUNT_HOLDER or self.options["account_holder"].strip(),
            "iban": group_iban(self.options["iban"]),
            "bic": self.options.get("bic", "").strip(),
            "bank_name": self.options.get("bank_name", "").strip(),
        }

    def instructions(self, contribution, language):
        return {
            **self.account_details(),
            "reference": contribution.reference,
            "amount": contribution.money.format(language),
            "currency": contribution.currency,
            "frequency": contribution.frequency,
            "standing_order": contribution.is_recurring,
        }
