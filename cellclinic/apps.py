from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The project's own app: the e-mail outbox, rate limits and the `cellclinic` commands."""

    name = "cellclinic"
    label = "cellclinic"
    verbose_name = "cellclinic core"
    default_auto_field = "django.db.models.BigAutoField"
