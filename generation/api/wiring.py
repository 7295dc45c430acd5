"""The Videos API's connections: it answers the core's `job_finished` with webhook events. Called
once, from GenerationApiConfig.ready(); the core never imports the API."""

from __future__ import annotations


def connect() -> None:
    from generation.api.webhooks.events import on_job_finished
    from generation.signals import job_finished

    job_finished.connect(on_job_finished, dispatch_uid="generation.api.webhooks")
