from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0007_contribution_history_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contribution",
            name="end_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("cancelled", "cancelled"),
                    ("lapsed", "lapsed"),
                    ("refunded", "refunded"),
                    ("expired", "expired"),
                ],
                max_length=12,
            ),
        ),
    ]
