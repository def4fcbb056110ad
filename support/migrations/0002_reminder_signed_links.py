"""Reminders: links become signed values (no token digest stored), one row per address, and the request time moves
with each new request (an unconfirmed reminder is deleted a week after it)."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="reminder", name="token_digest"),
        migrations.RenameField(model_name="reminder", old_name="created_at", new_name="requested_at"),
        migrations.AlterField(
            model_name="reminder",
            name="requested_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="email_digest",
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
