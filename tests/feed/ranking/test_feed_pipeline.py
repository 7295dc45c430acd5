"""For You and Following end to end on PostgreSQL, with the real MiniLM embeddings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from cameos.models import CameoUsage
from feed.engagement import services as engagement
from feed.engagement.models import Impression
from feed.graph.services import block_create, follow_create
from feed.models import FeedPreferences, Post, User
from feed.ranking.cursor import Cursor
from feed.ranking.pipeline import following_page, for_you_page
from feed.ranking.services import steering_apply, steering_chip_remove
from feed.ranking.wellbeing import watched_today
from generation.models import GenerationJob
from moderation.reports import report_create
from sora_site.errors import DomainError
from sora_site.timezones import local_midnight
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make
from tests.conftest import PASSWORD, make_user

TOPICS = {
    "cooking": [
        "fresh pasta with basil in a tiny kitchen",
        "grilling salmon on a cedar plank",
        "baking sourdough bread",
    ],
    "sports": ["a last second basketball buzzer beater", "football penalty kick in the rain", "tennis rally at sunset"],
    "space": ["a rocket launch at dawn", "astronaut floating outside the station", "the rings of saturn up close"],
}


@pytest.fixture
def library(alice: User, bob: User, charlie: User) -> dict[str, list[Post]]:
    authors = [alice, bob, charlie]
    return {
        topic: [post_make(authors[i], caption, hours_ago=i + 1) for i, caption in enumerate(captions)]
        for topic, captions in TOPICS.items()
    }


def ids(page_items: list) -> list[int]:
    return [item.post.pk for item in page_items]


def topic_of(library: dict[str, list[Post]], pk: int) -> str:
    return next(topic for topic, posts in library.items() if pk in {p.pk for p in posts})


def test_pages_never_repeat_and_cover_everything(library: dict[str, list[Post]], settings: object) -> None:
    settings.FEED_PAGE_SIZE = 4  # type: ignore[attr-defined]
    reader = make_user("reader")
    seen: list[int] = []
    cursor = Cursor()
    while True:
        page = for_you_page(reader, cursor)
        if page.cursor is None:
            break
        seen += ids(page.items)
        cursor = page.cursor
    assert len(seen) == len(set(seen)) == 9


def test_popular_fallback_for_someone_new(library: dict[str, list[Post]], bob: User, charlie: User) -> None:
    favourite = library["space"][2]
    for person in (bob, charlie):
        engagement.like_set(user=person, post=favourite, liked=True)
    page = for_you_page(make_user("newcomer"), Cursor())
    assert page.items[0].post == favourite
    # New, few views (exploring), and liked in the last hours: the trending pool's word, the sharper one.
    said = ["It is new.", "It is taking off right now.", "Something new, to widen what you see."]
    assert page.items[0].reasons == said
    assert for_you_page(None, Cursor()).items  # visitors get a feed too


def test_taste_from_likes_pulls_the_topic_up(library: dict[str, list[Post]]) -> None:
    reader = make_user("reader")
    engagement.like_set(user=reader, post=library["cooking"][0], liked=True)
    engagement.like_set(user=reader, post=library["cooking"][1], liked=True)
    page = for_you_page(reader, Cursor())
    # the third cooking post is the one left: it leads
    assert page.items[0].post == library["cooking"][2]


def test_steering_applies_to_the_next_page(library: dict[str, list[Post]], settings: object) -> None:
    settings.FEED_PAGE_SIZE = 3  # type: ignore[attr-defined]
    reader = make_user("reader")
    first = for_you_page(reader, Cursor())
    chips = steering_apply(user=reader, text="more sports, no space")
    assert [chip.label for chip in chips] == ["more sports", "no space"]
    assert first.cursor is not None
    following = for_you_page(reader, first.cursor)
    topics = [topic_of(library, pk) for pk in ids(following.items)]
    left_sports = [p for p in library["sports"] if p.pk not in ids(first.items)]
    assert topics[: len(left_sports)] == ["sports"] * len(left_sports)
    assert "space" not in topics
    steering_chip_remove(user=reader, topic="space")
    assert [c["topic"] for c in FeedPreferences.objects.get(user=reader).steering] == ["sports"]
    with pytest.raises(DomainError):
        steering_apply(user=reader, text=", and ,")


def test_blocks_hide_both_ways_at_once(library: dict[str, list[Post]], alice: User, bob: User, charlie: User) -> None:
    block_create(blocker=bob, blocked=alice)
    assert all(item.post.author != alice for item in for_you_page(bob, Cursor()).items)
    assert all(item.post.author != bob for item in for_you_page(alice, Cursor()).items)


def test_not_interested_removes_and_damps_the_author(library: dict[str, list[Post]], alice: User) -> None:
    reader, control = make_user("reader"), make_user("control")
    disliked = library["sports"][0]  # alice's
    engagement.not_interested_set(user=reader, post=disliked)

    def alice_positions(person: User) -> list[int]:
        items = for_you_page(person, Cursor()).items
        return [i for i, item in enumerate(items) if item.post.author == alice]

    assert disliked.pk not in ids(for_you_page(reader, Cursor()).items)
    assert sum(alice_positions(reader)) > sum(alice_positions(control))


def test_teen_daily_cap_and_break_card(library: dict[str, list[Post]], teen: User) -> None:
    FeedPreferences.objects.create(user=teen, daily_cap=5, break_after=3)
    first = for_you_page(teen, Cursor())
    assert len(first.items) == 5 and first.break_at == 3
    assert first.cursor is not None
    capped = for_you_page(teen, first.cursor)
    assert capped.cap_reached and not capped.items


def test_the_daily_cap_counts_what_was_watched_today(library: dict[str, list[Post]], teen: User) -> None:
    FeedPreferences.objects.create(user=teen, daily_cap=4)
    watched = [post for posts in library.values() for post in posts][:3]
    reports = [
        engagement.ImpressionReport(post_id=p.pk, view_id=f"v{p.pk}", watch_ms=900, completed=False, replays=0)
        for p in watched
    ]
    engagement.impressions_record(user=teen, reports=reports)
    assert len(for_you_page(teen, Cursor()).items) == 1
    assert len(for_you_page(teen, Cursor()).items) == 1  # a reload is not another item


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Los_Angeles"])
def test_the_daily_cap_starts_again_at_midnight_where_the_viewer_lives(
    library: dict[str, list[Post]], teen: User, zone: str
) -> None:
    """Watched a minute before their local midnight: yesterday's; at midnight: today's (not UTC's day)."""
    FeedPreferences.objects.create(user=teen, daily_cap=4)
    teen.time_zone = zone
    teen.save(update_fields=["time_zone"])
    midnight = local_midnight(zone)
    assert (midnight.hour, midnight.minute, str(midnight.tzinfo)) == (0, 0, zone)
    first, second, third = [post for posts in library.values() for post in posts][:3]
    for post, at in ((first, midnight - dt.timedelta(minutes=1)), (second, midnight), (third, midnight)):
        Impression.objects.create(user=teen, post=post, view_id=f"v{post.pk}", created_at=at)
    assert watched_today(teen, besides=[]) == 2
    assert len(for_you_page(teen, Cursor()).items) == 2


def test_break_card_comes_after_the_continuous_limit(library: dict[str, list[Post]], settings: object) -> None:
    settings.FEED_PAGE_SIZE = 2  # type: ignore[attr-defined]
    reader = make_user("reader")
    FeedPreferences.objects.create(user=reader, limits_on=True, break_after=3)
    first = for_you_page(reader, Cursor())
    assert first.break_at is None and first.cursor is not None
    second = for_you_page(reader, first.cursor)
    assert second.break_at == 1  # after the third item overall
    adult = make_user("adult")
    assert for_you_page(adult, Cursor(shown=3)).break_at is None  # no limits unless turned on


def test_teens_do_not_get_unsuitable_posts(alice: User, teen: User) -> None:
    post_make(alice, "a horror movie night", teen_suitable=False)  # as the publish stage labels it
    calm = post_make(alice, "a calm lake")
    assert ids(for_you_page(teen, Cursor()).items) == [calm.pk]
    follow_create(follower=teen, followee=alice)
    assert ids(following_page(teen, Cursor(tab="following")).items) == [calm.pk]


def test_the_following_tab_shows_only_what_the_follower_may_see(alice: User, bob: User, charlie: User) -> None:
    """The same rule as every list (posts_visible_to): nothing held for review or reported by the reader."""
    follow_create(follower=charlie, followee=alice)
    shown = post_make(alice, "a kite at dawn")
    post_make(alice, "waiting for a moderator", review=Post.Review.HELD)
    reported = post_make(alice, "a clip charlie reported")
    report_create(reporter=charlie, subject_type="post", subject_id=str(reported.pk), category="spam")
    assert ids(following_page(charlie, Cursor(tab="following")).items) == [shown.pk]


def test_following_tab_is_keyset_paged(alice: User, bob: User, charlie: User, settings: object) -> None:
    settings.FEED_PAGE_SIZE = 2  # type: ignore[attr-defined]
    follow_create(follower=charlie, followee=alice)
    posts = [post_make(alice, f"clip {i}", hours_ago=i) for i in range(3)]
    post_make(bob, "not followed")
    first = following_page(charlie, Cursor(tab="following"))
    assert ids(first.items) == [posts[0].pk, posts[1].pk] and first.cursor is not None
    post_make(alice, "newer, arrives between pages")
    second = following_page(charlie, first.cursor)
    assert ids(second.items) == [posts[2].pk] and second.cursor is None


def test_home_and_next_page_over_http(client: Client, library: dict[str, list[Post]], settings: object) -> None:
    settings.FEED_PAGE_SIZE = 5  # type: ignore[attr-defined]
    make_user("reader")
    client.login(username="reader", password=PASSWORD)
    home = client.get("/")
    assert home.content.count(b'class="reel"') == 5
    next_url = home.content.split(b'data-next-url="')[1].split(b'"')[0].decode().replace("&amp;", "&")
    more = client.get(next_url)
    assert more.content.count(b'class="reel"') == 4
    assert client.get("/feed/page/?tab=foryou&cursor=forged").status_code == 200
    response = client.post("/feed/steering/", {"text": "more cooking"})
    assert response.status_code == 302
    assert b"more cooking" in client.get("/").content


def test_posts_showing_the_cameo_of_someone_you_follow(alice: User, bob: User, charlie: User) -> None:
    follow_create(follower=charlie, followee=alice)
    job = GenerationJob.objects.create(owner=bob, prompt="@alice waves", seconds=4, width=720, height=1280, seed=1)
    CameoUsage.objects.create(cameo=active_cameo(alice), job=job)
    with_cameo = post_make(bob, "alice waves", job=job, hours_ago=100)
    for i in range(30):
        post_make(bob, f"newer clip {i}")
    items = for_you_page(charlie, Cursor()).items
    assert items[0].post == with_cameo
    assert "It shows the cameo of someone you follow." in items[0].reasons
