"""Bookmarks and collections: private saves, a saved list that follows every visibility rule."""

from __future__ import annotations

import pytest
from django.test import Client

from feed.engagement import services
from feed.engagement.models import Bookmark, PostStats
from feed.engagement.selectors import collections_of, saved_posts, social_for
from feed.graph.services import block_create
from feed.models import Notification, Post, User
from feed.posts.services import post_take_down
from moderation.reports import report_create
from sora_site.errors import DomainError
from tests.builders.posts import post_make
from tests.conftest import PASSWORD


def test_save_is_private_idempotent_and_lists_newest_first(alice: User, bob: User) -> None:
    kite, boat = post_make(alice, "kite"), post_make(alice, "boat")
    assert services.bookmark_set(user=bob, post=kite, saved=True)
    assert not services.bookmark_set(user=bob, post=kite, saved=True)
    assert services.bookmark_set(user=bob, post=boat, saved=True)
    assert saved_posts(bob) == [boat, kite]
    assert saved_posts(alice) == []  # nobody else's list
    assert not Notification.objects.exists()  # nobody is told
    assert not PostStats.objects.filter(post=kite).exclude(downloads=0).exists()  # not a download
    assert social_for([kite], bob)[kite.pk].saved and not social_for([kite], alice)[kite.pk].saved
    assert services.bookmark_set(user=bob, post=kite, saved=False)
    assert not services.bookmark_set(user=bob, post=kite, saved=False)
    assert saved_posts(bob) == [boat]


def test_saved_list_drops_what_the_saver_may_no_longer_see(alice: User, bob: User, charlie: User, teen: User) -> None:
    down, reported, private, adult = (post_make(alice, c) for c in ("down", "reported", "private", "adult"))
    by_charlie = post_make(charlie, "charlie's")
    for post in (down, reported, private):
        services.bookmark_set(user=bob, post=post, saved=True)
    services.bookmark_set(user=bob, post=by_charlie, saved=True)
    services.bookmark_set(user=teen, post=adult, saved=True)
    post_take_down(post=down, reason="rules")
    Post.objects.filter(pk=private.pk).update(visibility=Post.Visibility.PRIVATE)
    report_create(reporter=bob, subject_type="post", subject_id=str(reported.pk), category="spam")
    block_create(blocker=charlie, blocked=bob)
    assert saved_posts(bob) == []
    assert Bookmark.objects.filter(user=bob).count() == 4  # kept: a post that comes back returns
    Post.objects.filter(pk=adult.pk).update(teen_suitable=False)
    assert saved_posts(teen) == []
    # A post taken down can still be unsaved; one never seen can't be saved.
    assert services.bookmark_set(user=bob, post=down, saved=False)
    with pytest.raises(DomainError) as error:
        services.bookmark_set(user=bob, post=private, saved=True)
    assert error.value.code == "post_not_found"


def test_collections_file_posts_and_deleting_one_keeps_them_saved(alice: User, bob: User) -> None:
    kite, boat = post_make(alice, "kite"), post_make(alice, "boat")
    trips = services.collection_create(owner=bob, name="  Summer   trips ")
    assert trips.name == "Summer trips"
    services.bookmark_set(user=bob, post=kite, saved=True, collection=trips)
    services.bookmark_set(user=bob, post=boat, saved=True)
    assert saved_posts(bob, trips) == [kite]
    assert services.bookmark_set(user=bob, post=boat, saved=True, collection=trips)  # moved in
    assert saved_posts(bob, trips) == [boat, kite]
    services.collection_delete(collection=trips, by=bob)
    assert saved_posts(bob) == [boat, kite] and collections_of(bob) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [("   ", "collection_name_empty"), ("x" * 61, "collection_name_too_long"), ("Trips", "collection_name_taken")],
)
def test_bad_collection_names_are_refused(bob: User, name: str, code: str) -> None:
    services.collection_create(owner=bob, name="Trips")
    with pytest.raises(DomainError) as error:
        services.collection_create(owner=bob, name=name)
    assert error.value.code == code
    assert [c.name for c in collections_of(bob)] == ["Trips"]


def test_someone_elses_collection_is_not_found(alice: User, bob: User) -> None:
    mine = services.collection_create(owner=alice, name="Mine")
    with pytest.raises(DomainError) as error:
        services.bookmark_set(user=bob, post=post_make(alice, "kite"), saved=True, collection=mine)
    assert error.value.code == "collection_not_found"
    with pytest.raises(DomainError):
        services.collection_delete(collection=mine, by=bob)


def test_the_web_doors(client: Client, alice: User, bob: User) -> None:
    kite = post_make(alice, "kite")
    assert client.post(f"/p/{kite.pk}/save/").status_code == 302  # to the login page
    assert client.get("/saved/").status_code == 302
    client.login(username="bob", password=PASSWORD)
    assert client.post(f"/p/{kite.pk}/save/", {"saved": "1"}).json() == {"saved": True}
    page = client.get("/saved/")
    assert page.status_code == 200 and b"kite" in page.content
    assert client.post("/saved/collections/new/", {"name": ""}).status_code == 302
    assert collections_of(bob) == []
    response = client.post("/saved/collections/new/", {"name": "Trips"})
    trips = collections_of(bob)[0]
    assert response["Location"] == f"/saved/?c={trips.pk}"
    response = client.post(f"/p/{kite.pk}/save/", {"collection": trips.pk, "next": "saved", "shown": ""})
    assert response["Location"] == "/saved/"
    assert saved_posts(bob, trips) == [kite]
    assert client.get("/saved/?c=999999").status_code == 404
    assert client.get("/saved/?c=abc").status_code == 400
    client.login(username="alice", password=PASSWORD)
    assert client.get(f"/saved/?c={trips.pk}").status_code == 404
    assert client.post(f"/saved/collections/{trips.pk}/delete/").status_code == 404
