from django.db import models


class AuditEntry(models.Model):
    """One named action, who took it and on what. Never holds an email address or other personal data."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=80, db_index=True)
    actor_kind = models.CharField(max_length=20)  # reader, staff, system, provider
    actor_id = models.CharField(max_length=64, blank=True)
    subject_type = models.CharField(max_length=80, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_kind} {self.action} {self.subject_type}:{self.subject_id}"
