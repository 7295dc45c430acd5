from django.apps import AppConfig


class CameosConfig(AppConfig):
    name = "cameos"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cameos import wiring

        wiring.connect()
