"""Throttling sign-ins to the newsroom's accounts, so that nobody can guess a password by trying thousands of them.

Every password check goes through one authentication backend (``backend.ThrottledModelBackend``), whichever form
asked for it (the admin's sign-in page, Wagtail's front-end one). Wrong passwords are counted in Django's cache
(shared by every app process once the cache is Redis), per *account* (the username as typed, case-insensitively)
and per *client address* (``core.client_address``, so behind nginx the reader's, not the proxy's):

* after ``SIGN_IN_FAILURE_LIMIT`` wrong passwords for one account within ``SIGN_IN_WINDOW`` seconds, signing in to
  that account is paused for ``SIGN_IN_LOCK_SECONDS``;
* after ``SIGN_IN_ADDRESS_FAILURE_LIMIT`` wrong passwords from one address (for any accounts: a higher number, since
  a whole newsroom may sit behind one address; everyone who comes through the onion service is one address with ten
  times that, ``core.client_address.limit_for``), signing in from that address is paused as long.

While a pause is in force every attempt it covers is refused *before* the password is checked, so a refused attempt
costs no password hash, and the right password is refused too (or the pause would prove nothing). The page says
until when, and that a forgotten password can be reset: choosing a new password ends the pause of the account. A
pause ends on its own; it is never permanent, and the attempts it refuses do not make it longer.

Usernames and addresses are kept only as keyed digests (HMAC with ``SECRET_KEY``), never in clear, and only as long
as a count or a pause lasts. Each pause begun is the audited action ``actions.pause_sign_in`` (its kind and the
account's user as subject when one exists, never what was typed), and the account's owner is told by mail.
Messages never say whether an account exists: a name nobody has is counted and paused like any other.
"""
