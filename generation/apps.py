from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.checks import register

        from generation import checks, wiring

        wiring.connect()
        register(checks.c2pa_keys_shared, deploy=True)
