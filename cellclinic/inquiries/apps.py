from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    name = "cellclinic.inquiries"
    label = "inquiries"
    default_auto_field = "django.db.models.BigAutoField"
