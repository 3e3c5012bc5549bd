from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cellclinic.accounts"
    label = "accounts"

    def ready(self) -> None:
        from cellclinic.accounts import receivers  # noqa: F401  (connects them)
