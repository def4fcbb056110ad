"""What the dunning actions announce to the layers above them."""

from django.dispatch import Signal

#: A renewal failed and its contribution is past due (after the transaction commits); ``dunning_id``.
#: support/dunning/tasks.py queues the supporter's first mail.
renewal_failed = Signal()
