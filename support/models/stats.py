from django.db import models
from django.utils.translation import gettext_lazy as _

EVENT_KINDS = ("impression", "click", "close")


class AskCounter(models.Model):
    """Anonymous counts for one variant (or control/holdback arm) on one day. No row per event, nothing per reader."""

    campaign = models.ForeignKey("support.Campaign", on_delete=models.CASCADE, related_name="counters")
    day = models.DateField()
    arm = models.CharField(max_length=80, help_text=_("A variant key, “control:<surface>” or “holdback”."))
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    closes = models.PositiveBigIntegerField(default=0)
    reminders = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "day", "arm"], name="one_counter_per_arm_and_day")]
        verbose_name = _("ask counter")
        verbose_name_plural = _("ask counters")

    def __str__(self):
        return f"{self.campaign_id} {self.day} {self.arm}"
