from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from feed.graph import selectors, services
from feed.models import User
from sora_site.errors import DomainError
from tests.conftest import PASSWORD


def test_follow_and_unfollow(client: Client, alice: User, bob: User) -> None:
    client.force_login(bob)
    client.post(reverse("follow_toggle", args=["alice"]))
    assert selectors.is_following(bob, alice)
    assert selectors.profile_counts(alice)["followers"] == 1
    client.post(reverse("follow_toggle", args=["alice"]))
    assert not selectors.is_following(bob, alice)


def test_follow_via_htmx_returns_the_fragment(client: Client, alice: User, bob: User) -> None:
    client.force_login(bob)
    response = client.post(reverse("follow_toggle", args=["alice"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="follow-controls"' in body and "Following" in body and "<html" not in body


def test_follow_requires_post_and_login(client: Client, alice: User) -> None:
    assert client.post(reverse("follow_toggle", args=["alice"])).status_code == 302  # to login
    client.force_login(alice)
    assert client.get(reverse("follow_toggle", args=["alice"])).status_code == 405


def test_cannot_follow_self(alice: User) -> None:
    with pytest.raises(DomainError) as error:
        services.follow_create(follower=alice, followee=alice)
    assert error.value.code == "follow_self"


def test_mutuals(alice: User, bob: User, charlie: User) -> None:
    services.follow_create(follower=alice, followee=bob)
    services.follow_create(follower=bob, followee=alice)
    services.follow_create(follower=alice, followee=charlie)
    assert selectors.are_mutuals(alice, bob)
    assert not selectors.are_mutuals(alice, charlie)
    assert list(selectors.mutuals_of(alice)) == [bob]


def test_block_severs_follows_and_hides_both_ways(client: Client, alice: User, charlie: User) -> None:
    services.follow_create(follower=charlie, followee=alice)
    services.follow_create(follower=alice, followee=charlie)
    services.block_create(blocker=alice, blocked=charlie)
    assert not selectors.is_following(charlie, alice)
    assert not selectors.is_following(alice, charlie)
    assert selectors.is_blocked_either_way(charlie, alice)
    with pytest.raises(DomainError) as error:
        services.follow_create(follower=charlie, followee=alice)
    assert error.value.code == "blocked"
    assert selectors.users_hidden_from(charlie) == {alice.pk}
    assert selectors.users_hidden_from(alice) == {charlie.pk}

    client.force_login(charlie)
    page = client.get(reverse("profile", args=["alice"])).content.decode()
    assert "You can't see this account's videos." in page
    assert "Follow</button>" not in page


def test_unblock(alice: User, charlie: User) -> None:
    services.block_create(blocker=alice, blocked=charlie)
    services.block_delete(blocker=alice, blocked=charlie)
    assert not selectors.is_blocked_either_way(alice, charlie)


def test_follower_and_following_lists_hide_blocked(client: Client, alice: User, bob: User, charlie: User) -> None:
    services.follow_create(follower=bob, followee=alice)
    services.follow_create(follower=charlie, followee=alice)
    services.block_create(blocker=charlie, blocked=bob)
    client.login(username="bob", password=PASSWORD)
    page = client.get("/@alice/followers/").content.decode()
    assert "@bob" in page and "@charlie" not in page
    assert "@alice" in client.get("/@bob/following/").content.decode()
