from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "cellclinic.screening"
    label = "screening"
    default_auto_field = "django.db.models.BigAutoField"
