"""Creator analytics: views counted once per viewer, post and day with how far they watched (the player's
beacon), the daily counts every write keeps, and the pages only a post's creator or a cameo's owner sees."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from cameos.models import CameoUsage
from feed.analytics.selectors import WINDOW_DAYS, cameo_analytics, post_analytics
from feed.engagement import services
from feed.engagement.models import DailyView, PostDay, PostStats
from feed.models import Post, User
from generation.models import GenerationJob
from sora_site.errors import DomainError
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make
from tests.conftest import make_user


def viewed(user: User, post: Post, view: str, ms: int, *, done: bool = False) -> None:
    report = services.ImpressionReport(post_id=post.pk, view_id=view, watch_ms=ms, completed=done, replays=0)
    assert services.impressions_record(user=user, reports=[report]) == 1


def beacon(client: Client, *views: dict[str, object]) -> tuple[int, dict[str, object] | None]:
    body = {"views": json.dumps(list(views))}
    response = client.post(reverse("feed_impressions"), body, HTTP_ACCEPT="application/json")
    is_json = response.headers.get("Content-Type", "").startswith("application/json")
    return response.status_code, response.json() if is_json else None


def test_a_view_counts_once_per_person_and_day_with_how_far_they_watched(alice: User, bob: User, charlie: User) -> None:
    post = post_make(alice, "kite", seconds=4)
    viewed(bob, post, "b1", 1000)  # a quarter
    viewed(bob, post, "b2", 3000)  # scrolled past again, further: the same view, three quarters now
    viewed(bob, post, "b1", 500)  # a beacon resent with less: nothing goes down
    viewed(charlie, post, "c1", 10**9)  # clamped: at most the whole video
    viewed(alice, post, "a1", 4000, done=True)  # her own plays are not views of her video
    stats = PostStats.objects.get(post=post)
    day = PostDay.objects.get(post=post)
    assert (stats.impressions, day.impressions, day.watched, day.completions) == (2, 2, 750 + 1000, 0)

    viewed(bob, post, "b3", 1000, done=True)  # played to the end: the whole video, and a completion
    day.refresh_from_db()
    assert (day.impressions, day.watched, day.completions) == (2, 2000, 1)

    # The next day bob's view counts again (the rows of "today" moved back a day stand for yesterday).
    yesterday = day.day - dt.timedelta(days=1)
    DailyView.objects.update(day=yesterday)
    PostDay.objects.update(day=yesterday)
    viewed(bob, post, "b4", 2000)
    _, analytics = post_analytics(post.pk, alice)
    assert [(d.impressions, d.watched) for d in analytics.days[-2:]] == [(2, 2000), (1, 500)]
    assert len(analytics.days) == WINDOW_DAYS and analytics.days[-1].day == day.day
    totals = analytics.totals
    assert (totals.impressions, totals.completions) == (3, 1)
    assert totals.watch_through == pytest.approx(2500 / 3000)


def test_every_count_has_its_day_and_the_days_add_up_to_the_totals(alice: User, bob: User, charlie: User) -> None:
    post = post_make(alice, "kite")
    services.like_set(user=bob, post=post, liked=True)
    services.like_set(user=charlie, post=post, liked=True)
    services.like_set(user=charlie, post=post, liked=False)
    comment = services.comment_create(author=bob, post=post, text="lovely")
    services.comment_create(author=charlie, post=post, text="me too")
    services.comment_delete(comment=comment, by=bob)
    services.share_record(user=None, post=post)  # a visitor copying the link counts too
    services.download_record(user=bob, post=post)
    post_make(bob, "my remix", remix_of=post)
    viewed(bob, post, "b1", 2000)

    _, analytics = post_analytics(post.pk, alice)
    today = analytics.days[-1]
    counted = (today.impressions, today.likes, today.comments, today.shares, today.downloads, today.remixes)
    assert counted == (1, 1, 1, 1, 1, 1)
    totals = analytics.totals
    assert (totals.likes, totals.comments, totals.remixes, totals.like_rate, totals.remix_rate) == (1, 1, 1, 1.0, 1.0)
    assert all(d.impressions == 0 for d in analytics.days[:-1])


def test_only_the_creator_sees_a_posts_numbers(alice: User, charlie: User, mod: User) -> None:
    public = post_make(alice, "kite")
    private = post_make(alice, "secret", visibility=Post.Visibility.PRIVATE)
    assert post_analytics(public.pk, alice)[0] == public
    for person in (charlie, mod):  # a moderator sees nothing extra
        with pytest.raises(DomainError) as refused:
            post_analytics(public.pk, person)
        assert (refused.value.code, refused.value.status) == ("analytics_forbidden", 403)
    with pytest.raises(DomainError) as refused:
        post_analytics(private.pk, charlie)
    assert refused.value.status == 404  # a private post "does not exist" for him


def test_a_cameos_numbers_are_its_owners_with_every_video_that_used_it(alice: User, bob: User, charlie: User) -> None:
    cameo = active_cameo(alice)
    job = GenerationJob.objects.create(owner=bob, prompt="@alice waves", seconds=4, width=720, height=1280, seed=1)
    CameoUsage.objects.create(cameo=cameo, job=job)
    with_her = post_make(bob, "alice waves", job=job)
    post_make(bob, "without her")
    viewed(charlie, with_her, "c1", 4000, done=True)
    services.like_set(user=charlie, post=with_her, liked=True)

    _, analytics = cameo_analytics(cameo.handle, alice)
    assert [line.post for line in analytics.posts] == [with_her]
    assert (analytics.totals.impressions, analytics.totals.likes, analytics.totals.watch_through) == (1, 1, 1.0)
    assert (analytics.days[-1].impressions, analytics.days[-1].likes) == (1, 1)
    with pytest.raises(DomainError) as refused:
        cameo_analytics(cameo.handle, bob)  # he used it, and may see it: still not his numbers
    assert refused.value.status == 403


def test_the_pages_answer_the_creator_and_refuse_the_rest(client: Client, alice: User, charlie: User) -> None:
    post = post_make(alice, "kite over the dunes")
    active_cameo(alice)
    viewed(charlie, post, "c1", 2000)
    url = reverse("post_analytics", args=[post.pk])
    assert client.get(url).status_code == 302  # a visitor is sent to log in
    client.force_login(charlie)
    assert client.get(url).status_code == 403
    assert client.get(reverse("cameo_analytics", args=["alice"])).status_code == 403
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert 'data-total="views">1<' in page and 'data-total="watch">50%<' in page
    assert page.count('class="chart-bar"') == WINDOW_DAYS  # a bar a day, zero or not
    liked = client.get(url, {"metric": "likes"}).content.decode()
    assert 'data-metric="likes"' in liked
    refused = client.get(url, {"metric": "mood"}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "analytics_metric_unknown"
    assert client.get(reverse("cameo_analytics", args=["alice"])).status_code == 200
    post_page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert reverse("post_analytics", args=[post.pk]) in post_page  # linked for her


def test_the_beacon_refuses_visitors_skips_what_it_may_not_count_and_is_rate_limited(
    client: Client, alice: User, bob: User, settings: object
) -> None:
    public, private = post_make(alice, "kite"), post_make(alice, "secret", visibility=Post.Visibility.PRIVATE)
    unsuitable = post_make(alice, "scary", teen_suitable=False)
    view = {"post": public.pk, "view": "v1", "ms": 1500}
    assert beacon(client, view)[0] == 302  # a visitor: nobody to count once a day
    client.force_login(bob)
    assert beacon(client, {"post": private.pk, "view": "v2", "ms": 1500}) == (200, {"recorded": 0})
    assert beacon(client, {"post": public.pk, "view": "v3", "ms": "lots"})[0] == 400
    assert beacon(client, view) == (200, {"recorded": 1})
    teen = make_user("teen", age=15)
    client.force_login(teen)
    assert beacon(client, {"post": unsuitable.pk, "view": "t1", "ms": 1500}) == (200, {"recorded": 0})
    assert list(PostDay.objects.values_list("post_id", "impressions")) == [(public.pk, 1)]

    settings.FEED_VIEWS_PER_MINUTE = 1  # type: ignore[attr-defined]
    client.force_login(bob)  # bob already sent four this minute
    status, answer = beacon(client, view)
    assert status == 429 and answer is not None and answer["error"]["code"] == "rate_limited"  # type: ignore[index]
