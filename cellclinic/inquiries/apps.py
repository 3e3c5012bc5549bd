from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    name = "cellclinic.inquiries"
    label = "inquiries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from cellclinic.inquiries.models import Inquiry, delete_its_emails

        pre_delete.connect(delete_its_emails, sender=Inquiry, dispatch_uid="inquiry-emails")

        from cellclinic.accounts.nav import NAV_COUNTS
        from cellclinic.inquiries.selectors import waiting_for

        NAV_COUNTS["waiting_for_me"] = waiting_for
