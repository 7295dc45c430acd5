"""The feed's filters ("with @someone's cameo", "hide remixes"), a cameo's page, view counts and the
remix badge, through the pages."""

from __future__ import annotations

import re

from django.test import Client

from cameos.models import CameoUsage
from feed.engagement.services import stats_bump
from feed.graph.services import block_create, follow_create
from feed.models import Post, User
from generation.models import GenerationJob
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make
from tests.conftest import PASSWORD


def reel_ids(html: bytes) -> list[int]:
    return [int(pk) for pk in re.findall(rb'id="reel-(\d+)"', html)]


def with_cameo_of(owner: User, author: User, caption: str, **fields: object) -> Post:
    job = GenerationJob.objects.create(owner=author, prompt=caption, seconds=4, width=720, height=1280, seed=1)
    cameo = owner.cameos.first() or active_cameo(owner)
    CameoUsage.objects.create(cameo=cameo, job=job)
    return post_make(author, caption, job=job, **fields)


def test_with_a_cameo_shows_only_its_videos_and_hide_remixes_drops_remixes(
    client: Client, alice: User, bob: User, charlie: User
) -> None:
    original = with_cameo_of(alice, bob, "alice waves", hours_ago=3)
    remix = with_cameo_of(alice, bob, "alice waves again", remix_of=original, hours_ago=2)
    plain = post_make(bob, "no cameo here", hours_ago=1)
    other_remix = post_make(bob, "a remix without cameo", remix_of=plain)
    client.login(username="charlie", password=PASSWORD)
    page = client.get("/", {"with": "@alice"})
    assert reel_ids(page.content) == [remix.pk, original.pk]
    assert b"With @alice" in page.content
    assert reel_ids(client.get("/", {"with": "alice", "remixes": "hide"}).content) == [original.pk]
    everything = set(reel_ids(client.get("/").content))
    assert everything == {original.pk, remix.pk, plain.pk, other_remix.pk}
    assert set(reel_ids(client.get("/", {"remixes": "hide"}).content)) == {original.pk, plain.pk}
    follow_create(follower=charlie, followee=bob)
    assert reel_ids(client.get("/", {"tab": "following", "remixes": "hide"}).content) == [plain.pk, original.pk]
    assert b'class="badge badge-remix' in client.get("/", {"with": "alice"}).content


def test_a_cameo_you_cannot_find_is_said_and_not_applied(client: Client, alice: User, bob: User, charlie: User) -> None:
    post = with_cameo_of(alice, bob, "alice waves")
    block_create(blocker=alice, blocked=charlie)
    client.login(username="charlie", password=PASSWORD)
    page = client.get("/", {"with": "alice"})
    assert "There is no cameo @alice you can see" in page.content.decode()
    assert reel_ids(page.content) == [post.pk]  # bob's post: the block is alice's, not bob's
    assert client.get("/cameos/@alice/videos/").status_code == 404


def test_filtered_pages_continue_with_the_filter(client: Client, alice: User, bob: User, settings) -> None:
    settings.FEED_PAGE_SIZE = 2
    posts = [with_cameo_of(alice, bob, f"clip {i}", hours_ago=i) for i in range(3)]
    post_make(bob, "other")
    first = client.get("/", {"with": "alice"})
    assert reel_ids(first.content) == [posts[0].pk, posts[1].pk]
    more = re.search(rb'data-next-url="([^"]+)"', first.content)
    assert more is not None
    url = more.group(1).decode().replace("&amp;", "&")
    assert "with=alice" in url
    assert reel_ids(client.get(url).content) == [posts[2].pk]


def test_cameo_page_and_view_counts(client: Client, alice: User, bob: User) -> None:
    post = with_cameo_of(alice, bob, "alice waves")
    stats_bump(post.pk, impressions=1234)
    page = client.get("/cameos/@alice/videos/")
    assert page.status_code == 200 and b"alice waves" in page.content and b"1234 views" in page.content
    assert b"1234 views" in client.get("/").content
