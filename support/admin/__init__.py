"""The support app's pages in the Wagtail admin, one module per concern: ``page`` (the frame every page shares),
``contributions`` (find and work on contributions), ``statements`` (the bank statement import), ``card_payments``
(the card-testing breaker) and ``ask_stats`` (the ask statistics). ``support/wagtail_hooks.py`` puts them in the menu.

Nothing is imported here: Django's admin imports ``support.admin`` when it starts, and must not load the views."""
