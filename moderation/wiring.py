"""Moderation's connections to the layer below it (sora_site's media rules). Called once, from
ModerationConfig.ready()."""

from __future__ import annotations


def connect() -> None:
    from moderation import metrics  # noqa: F401  (its stage metrics, in every process)
    from moderation.receivers import case_frame_readable
    from sora_site.media_views import media_rule_register

    media_rule_register(case_frame_readable)
