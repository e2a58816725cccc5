"""App mode: each installation names the PostgreSQL schema of its instance's rows (``app/schemas.py``).

Installations made before instances had schemas keep their rows where they are: in ``public``."""

from django.db import migrations, models


def existing_rows_in_public(apps, schema_editor):
    SaleorAppInstallation = apps.get_model("wechat_distribution", "SaleorAppInstallation")
    SaleorAppInstallation.objects.filter(schema="").update(schema="public")


class Migration(migrations.Migration):
    dependencies = [
        ("wechat_distribution", "0019_app_voucher_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="saleorappinstallation",
            name="schema",
            field=models.CharField(blank=True, default="", max_length=63),
        ),
        # the hint: App mode's router runs this where the registry is (public), never in an instance's schema
        migrations.RunPython(
            existing_rows_in_public, migrations.RunPython.noop, hints={"model_name": "saleorappinstallation"}
        ),
    ]
