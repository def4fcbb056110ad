from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0006_cost_items"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contribution",
            index=models.Index(
                fields=["frequency", "started_at", "ended_at", "currency", "amount"], name="contribution_history"
            ),
        ),
    ]
