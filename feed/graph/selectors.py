"""Reads for the social graph."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from feed.accounts.models import User
from feed.graph.models import Block, Follow


def is_blocked_either_way(a: User, b: User) -> bool:
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def is_following(follower: User, followee: User) -> bool:
    return Follow.objects.filter(follower=follower, followee=followee).exists()


def are_mutuals(a: User, b: User) -> bool:
    return is_following(a, b) and is_following(b, a) and not is_blocked_either_way(a, b)


def users_hidden_from(viewer: User) -> frozenset[int]:
    """The ids of everyone `viewer` blocked or who blocked `viewer`: hidden both ways. Read from the block
    edges (a handful per person) and passed on as ids: as a subquery over people, every list that
    excludes them scanned all people once per query."""
    edges = Block.objects.filter(Q(blocker=viewer) | Q(blocked=viewer)).values_list("blocker_id", "blocked_id")
    return frozenset(blocked if blocker == viewer.pk else blocker for blocker, blocked in edges)


def followers_of(user: User) -> QuerySet[User]:
    return User.objects.filter(following_edges__followee=user, is_active=True).order_by("username")


def following_of(user: User) -> QuerySet[User]:
    return User.objects.filter(follower_edges__follower=user, is_active=True).order_by("username")


def mutuals_of(user: User) -> QuerySet[User]:
    follows_back = Follow.objects.filter(follower=OuterRef("pk"), followee=user)
    return following_of(user).filter(Exists(follows_back)).exclude(pk__in=users_hidden_from(user))


def profile_counts(user: User) -> dict[str, int]:
    return {
        "followers": Follow.objects.filter(followee=user).count(),
        "following": Follow.objects.filter(follower=user).count(),
    }


def relationship(viewer: User | None, person: User) -> dict[str, bool]:
    """How `viewer` and `person` stand, for the follow and block controls."""
    if viewer is None or viewer.pk == person.pk:
        return {"is_self": viewer is not None, "i_follow": False, "follows_me": False, "i_block": False}
    return {
        "is_self": False,
        "i_follow": is_following(viewer, person),
        "follows_me": is_following(person, viewer),
        "i_block": Block.objects.filter(blocker=viewer, blocked=person).exists(),
        "blocks_me": Block.objects.filter(blocker=person, blocked=viewer).exists(),
    }
