"""What the manage page tells the reader script about this browser (kept in its localStorage, never sent back).

The page is the one place a supporter proves who they are, so it is where the browser learns whether it belongs to a
supporter (the asks thank them instead) or to a former one (the asks may draw a win-back variant):

* ``supporter``: a regular contribution still runs (or is waiting for its first payment), or only one-time gifts were
  ever given — they are supporters as the thank-you page means it.
* ``former``: every regular contribution that ever ran has ended (cancelled or lapsed) and none runs now. The
  browser keeps it for a year, as it keeps a supporter's mark.
* ``forget``: the supporter chose "don't contact me": the browser forgets that it was a supporter's, so no win-back
  ask either.

Cancelling on the manage page leads back to it, so the browser learns it at once.
"""

from support.states import C

RUNNING = (C.PENDING, C.ACTIVE, C.PAST_DUE)
ENDED = (C.CANCELLED,)


def browser_marker(supporter, contributions) -> str:
    """``supporter``, ``former`` or ``forget`` for the manage page of ``supporter`` listing ``contributions``."""
    if supporter.do_not_contact:
        return "forget"
    regular = [c for c in contributions if c.is_recurring]
    if any(c.status in RUNNING for c in regular):
        return "supporter"
    if any(c.status in ENDED and c.started_at is not None for c in regular):
        return "former"
    return "supporter"
