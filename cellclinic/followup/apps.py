from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "cellclinic.followup"
    label = "followup"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cellclinic.care.hooks import PROCEDURE_RECORDED
        from cellclinic.followup.services import followup_after_procedure

        if followup_after_procedure not in PROCEDURE_RECORDED:
            PROCEDURE_RECORDED.append(followup_after_procedure)
