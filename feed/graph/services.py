"""Writes for the social graph: follows and blocks."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from feed.accounts.models import User
from feed.graph.models import Block, Follow
from feed.graph.selectors import is_blocked_either_way
from sora_site.errors import DomainError


def follow_create(*, follower: User, followee: User) -> Follow:
    if follower.pk == followee.pk:
        raise DomainError("follow_self", gettext("You cannot follow yourself."))
    if is_blocked_either_way(follower, followee):
        raise DomainError("blocked", gettext("You cannot follow this account."), status=403)
    follow, _ = Follow.objects.get_or_create(follower=follower, followee=followee)
    return follow


def follow_delete(*, follower: User, followee: User) -> None:
    Follow.objects.filter(follower=follower, followee=followee).delete()


def block_create(*, blocker: User, blocked: User) -> Block:
    if blocker.pk == blocked.pk:
        raise DomainError("block_self", gettext("You cannot block yourself."))
    with transaction.atomic():
        block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        # A block severs the follow graph both ways.
        Follow.objects.filter(follower=blocker, followee=blocked).delete()
        Follow.objects.filter(follower=blocked, followee=blocker).delete()
    return block


def block_delete(*, blocker: User, blocked: User) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()
