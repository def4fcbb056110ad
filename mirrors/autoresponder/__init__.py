"""The mirrors mailbox (REACH.md R5.3): whoever writes to ``MIRROR_RESPONDER_ADDRESS`` gets one reply with the
``email``-pool mirrors, the onion, and the signed public list (``mirrors.json`` and its ``.minisig``) inline.

* :mod:`.inbound` — what an inbound message (bytes) says: its sender, whether a program sent it (RFC 3834), and the
  language to answer in.
* :mod:`.dkim_check` — whether a DKIM signature of the From domain verifies (``dkimpy``; DNS through
  ``MIRROR_RESPONDER_DNSFUNC``).
* :mod:`.limits` — replies per sender per day (counted under an HMAC of the address with a daily salt) and in all.
* :mod:`.reply` — the reply, composed and sent through Django's mail backend.
* :mod:`.respond` — all of it for one message: :func:`.respond.respond` returns what was done, never raises.
* :mod:`.smtp` — an aiosmtpd handler (``manage.py run_mirrors_responder``) for a self-hosted MX.

The sender's address is never stored: no table, log line, audit entry or cache key holds it.
"""
