from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "cellclinic.screening"
    label = "screening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cellclinic.inquiries.hooks import INQUIRY_RECEIVED
        from cellclinic.screening.services import screen_received

        if screen_received not in INQUIRY_RECEIVED:
            INQUIRY_RECEIVED.append(screen_received)
