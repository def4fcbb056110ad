import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    """Contributions that ran before the history was kept: started with their first payment, ended for the reason
    their state says, and the amount changes the audit log recorded."""
    Contribution = apps.get_model("support", "Contribution")
    Payment = apps.get_model("support", "Payment")
    AmountChange = apps.get_model("support", "AmountChange")
    AuditEntry = apps.get_model("core", "AuditEntry")
    first = (
        Payment.objects.filter(contribution=models.OuterRef("pk"), succeeded_at__isnull=False)
        .order_by("succeeded_at")
        .values("succeeded_at")[:1]
    )
    Contribution.objects.filter(started_at__isnull=True).update(started_at=models.Subquery(first))
    Contribution.objects.filter(status="cancelled", end_reason="").update(end_reason="cancelled")
    Contribution.objects.filter(status="refunded", end_reason="").update(end_reason="refunded")
    changes = AuditEntry.objects.filter(action="contribution.amount_changed", subject_type="support.contribution")
    existing = set(Contribution.objects.values_list("pk", flat=True))
    for entry in changes.order_by("pk").iterator():
        pk = int(entry.subject_id) if entry.subject_id.isdigit() else None
        if pk in existing and "before" in entry.data and "after" in entry.data:
            change = AmountChange.objects.create(
                contribution_id=pk, before=entry.data["before"], after=entry.data["after"]
            )
            AmountChange.objects.filter(pk=change.pk).update(changed_at=entry.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0004_ledger"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="end_reason",
            field=models.CharField(
                blank=True,
                choices=[("cancelled", "cancelled"), ("lapsed", "lapsed"), ("refunded", "refunded")],
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="contribution",
            name="started_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name="refund",
            name="kind",
            field=models.CharField(
                choices=[("refund", "refund"), ("dispute", "dispute")], default="refund", max_length=10
            ),
        ),
        migrations.AlterField(
            model_name="contribution",
            name="ended_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.CreateModel(
            name="AmountChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("before", models.DecimalField(decimal_places=2, max_digits=12)),
                ("after", models.DecimalField(decimal_places=2, max_digits=12)),
                ("changed_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "contribution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="amount_changes",
                        to="support.contribution",
                    ),
                ),
            ],
            options={
                "verbose_name": "amount change",
                "verbose_name_plural": "amount changes",
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
