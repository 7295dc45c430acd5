"""`{% load moderation %}{% if user|can_moderate %}`: the moderator check, for templates."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from feed.accounts.models import User
from moderation.selectors import user_is_moderator

register = template.Library()


@register.filter
def can_moderate(user: User | AnonymousUser) -> bool:
    return user_is_moderator(user)
