from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "learnloop.accounts"
    label = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from learnloop.accounts.sessions import session_started

        user_logged_in.connect(session_started, dispatch_uid="learnloop-session-started")
