from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cellclinic.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cellclinic.accounts import receivers  # noqa: F401  (connects them)

        user_logged_in.connect(_session_start_on_sign_in, dispatch_uid="cellclinic.session_start")


def _session_start_on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A sign-in starts the clock of the staff session's idle and total limits."""
    from cellclinic.accounts.middleware import session_start

    session = getattr(request, "session", None)
    if session is not None:
        session_start(session)
