from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "cellclinic.programs"
    label = "programs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from cellclinic.programs.models import ProgramVersion
        from cellclinic.programs.selectors import version_forget
        from cellclinic.programs.services import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self)
        post_save.connect(version_forget, sender=ProgramVersion)
        post_delete.connect(version_forget, sender=ProgramVersion)
