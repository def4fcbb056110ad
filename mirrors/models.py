"""The newsroom's mirrors, the signed lists that publish them, and the lists this site has checked and accepted.

* :class:`Mirror` — one other address of the site: where it is, what kind of copy it is (a static export, a reverse
  proxy, an onion), which *pool* it belongs to (who may learn of it, REACH.md R2.2), its health as ``check_mirrors``
  last found it, and when it was added, retired or found blocked. Rows are never deleted: a retired or blocked mirror
  leaves the list at its next signing and stays here as history.
* :class:`MirrorList` — one signing of the public list: its ``sequence`` (one more than the last), the exact bytes of
  ``mirrors.json`` and of its minisign signature, and the key that signed it. Every app process serves the newest
  row's bytes, so the list only changes when it is signed again (:mod:`mirrors.actions`).
* :class:`AcceptedMirrorList` — what ``manage.py verify_mirrors`` accepted, so that an older list (a lower sequence)
  or one signed by a key that was never announced is refused later.

Every write goes through a named action (:mod:`mirrors.actions`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mirror(models.Model):
    class Kind(models.TextChoices):
        STATIC = "static", _("Static copy (an export on another host)")
        PROXY = "proxy", _("Reverse proxy of the live site")
        ONION = "onion", _("Onion service")

    class Carrier(models.TextChoices):
        DOMAIN = "domain", _("Domain of our own")
        CDN = "cdn", _("CDN")
        BUCKET = "bucket", _("Storage bucket")
        IPFS = "ipfs", _("IPFS gateway")
        ONION = "onion", _("Tor")
        OTHER = "other", _("Other")

    class Pool(models.TextChoices):
        PUBLIC = "public", _("Public: the mirrors page, mirrors.json and its feed")
        NEWSLETTER = "newsletter", _("Newsletter footers")
        EMAIL = "email", _("Replies of the mirrors mailbox")
        APP = "app", _("The app")
        PRIVATE = "private", _("Private: never published")

    class Health(models.TextChoices):
        UNKNOWN = "unknown", _("Not checked yet")
        FRESH = "fresh", _("Fresh")
        STALE = "stale", _("Stale")
        DOWN = "down", _("Down")

    url = models.CharField(_("address"), max_length=300, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    carrier = models.CharField(_("carried by"), max_length=10, choices=Carrier.choices, default=Carrier.DOMAIN)
    pool = models.CharField(_("pool"), max_length=12, choices=Pool.choices, default=Pool.PUBLIC)
    note = models.CharField(_("note for the newsroom"), max_length=200, blank=True)
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.UNKNOWN)
    health_detail = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)  # the last check that found it fresh
    added_at = models.DateTimeField()
    updated_at = models.DateTimeField()  # the last change to what the list publishes of it
    retired_at = models.DateTimeField(null=True, blank=True)
    blocked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("mirror")
        verbose_name_plural = _("mirrors")

    def __str__(self):
        return self.url

    @property
    def listed(self) -> bool:
        """Whether the list of its pool names it (neither retired nor blocked)."""
        return self.retired_at is None and self.blocked_at is None


class MirrorList(models.Model):
    sequence = models.PositiveIntegerField(unique=True)
    generated_at = models.DateTimeField()
    valid_until = models.DateTimeField()
    body = models.TextField()  # mirrors.json, exactly as served (UTF-8)
    signature = models.TextField()  # mirrors.json.minisig
    public_key = models.CharField(max_length=64)  # the RW… key that signed it
    # What the list says, leaving out when it was signed (sequence, times, verified_at): a new signing is due when it
    # changes (or the list nears its end of validity).
    content_digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("signed mirror list")

    def __str__(self):
        return f"mirror list {self.sequence}"


class AcceptedMirrorList(models.Model):
    sequence = models.PositiveIntegerField(db_index=True)
    digest = models.CharField(max_length=64)  # sha256 of the list's bytes
    public_key = models.CharField(max_length=64)  # the key that signed it
    next_public_key = models.CharField(max_length=64, blank=True)  # the key it announced
    source = models.CharField(max_length=500)
    accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["-sequence", "-pk"]

    def __str__(self):
        return f"accepted mirror list {self.sequence}"
