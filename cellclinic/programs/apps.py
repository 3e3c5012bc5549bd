from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "cellclinic.programs"
    label = "programs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cellclinic.programs.services import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self)
