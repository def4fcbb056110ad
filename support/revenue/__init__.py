"""The newsroom's money over time: what the ledger says happened month by month (``history``), the figures of any
period (``period``), where the money came from (``attribution``), and how the Revenue team and readers see them:
the admin dashboard (``dashboard``), charts drawn on the server (``charts``) and CSV (``tables``).

Everything here is derived from the ledger (``support.models.ledger``) at the time it is asked, never stored, and
converted into one currency at the newsroom's rates (``support.ledger.rates_to``); a currency without a rate is left
out and named, so a figure never pretends to be complete. ``docs/revenue.md`` defines every figure.
"""
