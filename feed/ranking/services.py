"""Writes for ranking: a person's steering chips."""

from __future__ import annotations

from django.utils.translation import gettext

from feed.accounts.models import User
from feed.ranking.models import FeedPreferences
from feed.ranking.steering import CHIPS_MAX, chips_from_json, chips_to_json, steering_parse
from feed.ranking.types import Chip
from feed.ranking.wellbeing import preferences_of
from sora_site.errors import DomainError

STEERING_TEXT_MAX = 300


def steering_apply(*, user: User, text: str) -> list[Chip]:
    """Add what the text asks for to the person's chips (a topic said again takes its new kind)."""
    if len(text) > STEERING_TEXT_MAX:
        raise DomainError(
            "steering_too_long", gettext("Keep it under %(max)d characters.") % {"max": STEERING_TEXT_MAX}, field="text"
        )
    new = steering_parse(text)
    if not new:
        raise DomainError(
            "steering_empty",
            gettext('Try something like "more cooking and anime, less sports, no horror".'),
            field="text",
        )
    prefs = preferences_of(user)
    topics = {chip.topic for chip in new}
    chips = [chip for chip in chips_from_json(prefs.steering) if chip.topic not in topics] + new
    return _save(prefs, chips[-CHIPS_MAX:])


def steering_chip_remove(*, user: User, topic: str) -> list[Chip]:
    prefs = preferences_of(user)
    return _save(prefs, [chip for chip in chips_from_json(prefs.steering) if chip.topic != topic])


def _save(prefs: FeedPreferences, chips: list[Chip]) -> list[Chip]:
    prefs.steering = chips_to_json(chips)
    prefs.save(update_fields=["steering", "updated_at"])
    return chips
