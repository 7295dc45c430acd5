from django.apps import AppConfig


class GenerationApiConfig(AppConfig):
    """The Videos API as an app of its own (no models: its rows are generation's), so that its wiring
    lives here and the core never imports it: the core sends `job_finished`, the API answers it."""

    name = "generation.api"
    label = "generation_api"

    def ready(self) -> None:
        from generation.api import wiring

        wiring.connect()
