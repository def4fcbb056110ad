"""Keeping supporters: failed renewals followed up (dunning) and annual renewals announced.

``actions``: the named moves (a renewal failed, it was paid, the card was replaced, the contribution ended);
``mail``: the mails, in the supporter's language; ``links``: the long-lived signed link those mails carry, which opens
the manage page; ``schedule``: what the scheduled command ``send_supporter_notices`` sends when.
"""
