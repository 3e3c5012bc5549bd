# Each time point's "due" counts from the last treatment date, copied into the summary.

from django.db import migrations, models

FILL = (
    "UPDATE outcomes_outcomesummary SET last_treatment = ("
    "SELECT p.last_treatment FROM outcomes_registrypatient p "
    "WHERE p.id = outcomes_outcomesummary.patient_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0004_summary_measure_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="outcomesummary",
            name="last_treatment",
            field=models.DateField(
                help_text="the registry row's; each time point's window counts from it",
                null=True,
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
