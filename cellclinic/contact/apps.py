from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "cellclinic.contact"
    label = "contact"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from cellclinic.contact.models import ContactMessage, delete_its_emails

        pre_delete.connect(delete_its_emails, sender=ContactMessage, dispatch_uid="contact-emails")
