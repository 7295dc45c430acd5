"""Cameos' connections to the layers below them. Moderation sits below cameos: held cameos and
requests to join the public-figure registry reach its queue through its subject registry. Called
once, from CameosConfig.ready()."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy


def connect() -> None:
    from cameos import (
        receivers,
        tasks,  # noqa: F401  (registers the tasks in every process: they are queued by name)
    )
    from cameos.services.figure_requests import FIGURE_REQUEST_SUBJECT, public_figure_request_decide
    from cameos.services.recording import cameo_review_decide
    from moderation.registry import SubjectType, subject_type_register
    from sora_site.media_views import media_rule_register

    media_rule_register(receivers.public_figure_photo_readable)
    subject_type_register(
        SubjectType(
            name="cameo",
            load=receivers.held_cameos,
            template="cameos/_moderation_subject.html",
            show=cameo_review_decide,
            approve_label=pgettext_lazy("moderation queue button", "Approve cameo"),
            reject_label=pgettext_lazy("moderation queue button", "Reject and erase"),
        )
    )
    subject_type_register(
        SubjectType(
            name=FIGURE_REQUEST_SUBJECT,
            load=receivers.figure_requests,
            template="cameos/_figure_request_subject.html",
            show=public_figure_request_decide,
            approve_label=pgettext_lazy("moderation queue button", "Add to the registry"),
            reject_label=pgettext_lazy("moderation queue button", "Decline"),
        )
    )
