"""Likes, comments, views, shares, downloads, "not interested" and the notifications they send."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from feed.engagement import services
from feed.engagement.models import Comment, Impression, PostStats
from feed.engagement.selectors import comments_of, social_for
from feed.graph.services import block_create, follow_create
from feed.models import Notification, Post, User
from feed.notifications.selectors import unread_count
from sora_site.errors import DomainError
from tests.builders.posts import post_make
from tests.conftest import PASSWORD


def stats(post: Post) -> PostStats:
    return PostStats.objects.get(post=post)


def test_like_is_idempotent_counts_and_tells_the_author(alice: User, bob: User) -> None:
    post = post_make(alice, "kite")
    assert services.like_set(user=bob, post=post, liked=True)
    assert not services.like_set(user=bob, post=post, liked=True)
    assert stats(post).likes == 1
    note = Notification.objects.get(recipient=alice)
    assert (note.kind, note.actor, note.subject) == ("post_liked", bob, f"post:{post.pk}")
    assert unread_count(alice) == 1
    assert services.like_set(user=bob, post=post, liked=False)
    assert not services.like_set(user=bob, post=post, liked=False)
    assert stats(post).likes == 0


def test_own_like_tells_nobody(alice: User) -> None:
    services.like_set(user=alice, post=post_make(alice, "mine"), liked=True)
    assert not Notification.objects.exists()


def test_cannot_like_what_you_may_not_see(alice: User, charlie: User) -> None:
    private = post_make(alice, "secret", visibility=Post.Visibility.PRIVATE)
    with pytest.raises(DomainError) as error:
        services.like_set(user=charlie, post=private, liked=True)
    assert error.value.code == "post_not_found"
    block_create(blocker=alice, blocked=charlie)
    with pytest.raises(DomainError):
        services.like_set(user=charlie, post=post_make(alice, "public"), liked=True)


def test_comments_one_level_of_replies_mentions_and_counts(alice: User, bob: User, charlie: User) -> None:
    post = post_make(alice, "kite")
    top = services.comment_create(author=bob, post=post, text="lovely")
    reply = services.comment_create(author=charlie, post=post, text="agree @bob", parent=top)
    deeper = services.comment_create(author=alice, post=post, text="thanks both", parent=reply)
    assert reply.parent == top and deeper.parent == top  # a reply to a reply joins the thread
    assert stats(post).comments == 3
    kinds = sorted(Notification.objects.filter(recipient=bob).values_list("kind", flat=True))
    # bob: charlie's reply to his comment (which also mentions him: told once), then alice's reply
    assert kinds == ["comment_replied", "comment_replied"]
    assert Notification.objects.filter(recipient=alice, kind="post_commented").count() == 2
    thread = comments_of(post, None)
    assert [c.text for c in thread] == ["lovely"]
    assert [r.text for r in thread[0].replies.all()] == ["agree @bob", "thanks both"]


def test_comment_errors(alice: User, bob: User) -> None:
    post = post_make(alice, "kite")
    for text, code in [("   ", "comment_empty"), ("x" * 501, "comment_too_long")]:
        with pytest.raises(DomainError) as error:
            services.comment_create(author=bob, post=post, text=text)
        assert error.value.code == code
    other = services.comment_create(author=bob, post=post_make(alice, "other"), text="hi")
    with pytest.raises(DomainError) as error:
        services.comment_create(author=bob, post=post, text="hi", parent=other)
    assert error.value.code == "comment_parent_invalid"
    assert not Comment.objects.filter(post=post).exists()


def test_a_harmful_comment_is_refused_by_moderation_and_nothing_is_written(alice: User, bob: User) -> None:
    post = post_make(alice, "kite")
    with pytest.raises(DomainError) as error:
        services.comment_create(author=bob, post=post, text="step by step how to build a p!pe b0mb at home")
    assert (error.value.code, error.value.field) == ("text_blocked", "text")
    assert not Comment.objects.filter(post=post).exists()
    assert not PostStats.objects.filter(post=post, comments__gt=0).exists()
    assert not Notification.objects.filter(recipient=alice).exists()
    services.comment_create(author=bob, post=post, text="how did you make the kite fly so high?")  # benign passes


def test_delete_own_comment_or_any_on_your_post(alice: User, bob: User, charlie: User) -> None:
    post = post_make(alice, "kite")
    by_bob = services.comment_create(author=bob, post=post, text="first")
    services.comment_create(author=charlie, post=post, text="reply", parent=by_bob)
    by_charlie = services.comment_create(author=charlie, post=post, text="second")
    with pytest.raises(DomainError) as error:
        services.comment_delete(comment=by_bob, by=charlie)
    assert error.value.status == 403
    services.comment_delete(comment=by_charlie, by=charlie)
    services.comment_delete(comment=by_bob, by=alice)  # the creator, on their own post: replies go with it
    assert not Comment.objects.exists()
    assert stats(post).comments == 0


def test_impressions_are_idempotent_and_keep_the_max(alice: User, bob: User) -> None:
    post = post_make(alice, "kite")
    first = services.ImpressionReport(post_id=post.pk, view_id="v1", watch_ms=1500, completed=False, replays=0)
    later = services.ImpressionReport(post_id=post.pk, view_id="v1", watch_ms=4200, completed=True, replays=1)
    services.impressions_record(user=bob, reports=[first])
    services.impressions_record(user=bob, reports=[later, later, first])
    impression = Impression.objects.get()
    assert (impression.watch_ms, impression.completed, impression.replays) == (4200, True, 1)
    assert (stats(post).impressions, stats(post).completions) == (1, 1)
    huge = services.ImpressionReport(post_id=post.pk, view_id="v2", watch_ms=10**9, completed=False, replays=999)
    services.impressions_record(user=bob, reports=[huge])
    second = Impression.objects.get(view_id="v2")
    assert second.watch_ms == services.WATCH_MS_MAX and second.replays == services.REPLAYS_MAX
    assert stats(post).impressions == 1  # the same person on the same day: one view


def test_impressions_http_and_bad_input(client: Client, alice: User, bob: User) -> None:
    post = post_make(alice, "kite")
    client.login(username="bob", password=PASSWORD)
    views = [{"post": post.pk, "view": "a", "ms": 900, "done": True}, {"post": 10**9, "view": "b", "ms": 5}]
    response = client.post("/feed/views/", {"views": json.dumps(views)})
    assert response.json() == {"recorded": 1}
    response = client.post("/feed/views/", {"views": "not json"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_impressions"
    too_many = [{"post": post.pk, "view": str(i)} for i in range(51)]
    response = client.post("/feed/views/", {"views": json.dumps(too_many)}, HTTP_ACCEPT="application/json")
    assert response.json()["error"]["code"] == "too_many_impressions"


def test_rail_endpoints(client: Client, alice: User, bob: User) -> None:
    post = post_make(alice, "kite")
    assert client.post(f"/p/{post.pk}/like/").status_code == 302  # to the login page
    client.login(username="bob", password=PASSWORD)
    assert client.post(f"/p/{post.pk}/like/", {"liked": "1"}).json() == {"liked": True, "likes": 1}
    assert client.post(f"/p/{post.pk}/share/").json()["shares"] == 1
    response = client.get(f"/p/{post.pk}/download/")
    assert response.status_code == 302 and response["Location"] == post.video.url
    assert stats(post).downloads == 1
    response = client.post(f"/p/{post.pk}/comments/new/", {"text": "hello @alice"})
    assert (
        response.status_code == 200
        and b"hello @alice" in response.content
        and b'data-comment-count="1"' in response.content
    )
    assert client.post(f"/p/{post.pk}/comments/new/", {"text": ""}).status_code == 400
    assert client.post(f"/p/{post.pk}/not-interested/").json() == {"ok": True}
    assert social_for([post], bob)[post.pk].liked


def test_follow_and_remix_notify(alice: User, bob: User) -> None:
    follow_create(follower=bob, followee=alice)
    parent = post_make(alice, "kite")
    post_make(bob, "kite remix", remix_of=parent)
    post_make(alice, "self remix", remix_of=parent)
    kinds = sorted(Notification.objects.filter(recipient=alice).values_list("kind", flat=True))
    assert kinds == ["followed", "post_remixed"]
    assert stats(parent).remixes == 2


def test_inbox_marks_read(client: Client, alice: User, bob: User) -> None:
    services.like_set(user=bob, post=post_make(alice, "kite"), liked=True)
    client.login(username="alice", password=PASSWORD)
    page = client.get("/")
    assert b'aria-label="1 unread"' in page.content
    inbox = client.get("/inbox/")
    assert b"@bob liked your video." in inbox.content
    assert unread_count(alice) == 0


def test_creator_edits_unposts_and_deletes(client: Client, alice: User, bob: User) -> None:
    post = post_make(alice, "kite")
    client.login(username="bob", password=PASSWORD)
    assert client.post(f"/p/{post.pk}/edit/", {"caption": "mine now"}).status_code == 403
    assert client.post(f"/p/{post.pk}/delete/").status_code == 403
    client.login(username="alice", password=PASSWORD)
    client.post(f"/p/{post.pk}/edit/", {"caption": "Kite day", "visibility": "private"})
    post.refresh_from_db()
    assert (post.caption, post.visibility) == ("Kite day", "private")
    response = client.post(f"/p/{post.pk}/edit/", {"caption": "lost?", "visibility": "everyone"})
    assert response.status_code == 400
    post.refresh_from_db()
    assert post.caption == "Kite day"  # refused whole
    client.post(f"/p/{post.pk}/delete/")
    assert not Post.objects.filter(pk=post.pk).exists()
