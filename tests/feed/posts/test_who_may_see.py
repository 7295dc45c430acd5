"""One rule for "may this viewer see this post" (`feed.posts.selectors.posts_readable_by`), asked by
every door that reads or engages with a post; moderator-hidden profiles and erased videos; comment
counters that count exactly the comments others see."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from cameos.models import Cameo
from cameos.services import ledger
from feed.accounts.services import profile_hidden_set
from feed.engagement import services
from feed.engagement.models import Comment, Impression, PostStats
from feed.engagement.selectors import comments_of
from feed.graph.services import block_create, follow_create
from feed.models import Post, User
from moderation.cases import case_act
from moderation.models import ModerationCase, Report
from moderation.reports import report_create
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make, post_published
from tests.cameos.test_cameo_lifecycle import as_draft, job_with
from tests.generation.test_who_may_create import sanction
from tests.moderation.test_queue import client_for

REMOVED = "Removed: your cameo's owner withdrew consent"


def views_sent(client: Client, post: Post, view: str) -> dict[str, object]:
    views = [{"post": post.pk, "view": view, "ms": 900, "done": True}]
    answer: dict[str, object] = client.post("/feed/views/", {"views": json.dumps(views)}).json()
    return answer


def test_views_count_only_on_posts_the_viewer_may_see(alice: User, bob: User, charlie: User, teen: User) -> None:
    private = post_make(alice, "secret", visibility=Post.Visibility.PRIVATE)
    unsuitable = post_make(alice, "scary", teen_suitable=False)
    blockers = post_make(bob, "bob's")
    block_create(blocker=bob, blocked=charlie)
    as_charlie, as_teen = client_for(charlie), client_for(teen)

    # Nothing counted, and the answer does not tell a private post's id from one that does not exist.
    assert views_sent(as_charlie, private, "a") == {"recorded": 0}
    assert views_sent(as_charlie, blockers, "b") == {"recorded": 0}
    assert views_sent(as_teen, unsuitable, "c") == {"recorded": 0}
    assert not Impression.objects.exists()
    assert not PostStats.objects.filter(impressions__gt=0).exists()
    assert views_sent(as_charlie, unsuitable, "d") == {"recorded": 1}  # an adult may see it


def test_a_profile_hidden_by_a_moderator_hides_its_videos_everywhere_but_from_its_owner(
    alice: User, bob: User, charlie: User
) -> None:
    post = post_make(alice, "kite festival at the beach")
    video = default_storage.save(f"posts/test/{post.pk}.mp4", ContentFile(b"video"))
    Post.objects.filter(pk=post.pk).update(video=video)
    post.refresh_from_db()
    services.comment_create(author=alice, post=post, text="made with @bob")  # bob's inbox links to it
    follow_create(follower=charlie, followee=alice)
    as_charlie, as_bob = client_for(charlie), client_for(bob)
    reel = f'id="reel-{post.pk}"'
    assert reel in as_charlie.get("/feed/page/").content.decode()
    assert reel in as_charlie.get("/feed/page/?tab=following").content.decode()
    assert as_charlie.get(post.video.url).status_code == 200

    profile_hidden_set(user=alice, hidden=True, reason="Hidden while a moderator reviews it: impersonation")

    assert reel not in as_charlie.get("/feed/page/").content.decode()
    assert reel not in as_charlie.get("/feed/page/?tab=following").content.decode()
    assert reel not in Client().get("/feed/page/").content.decode()
    for client in (as_charlie, Client()):
        assert client.get(f"/p/{post.pk}/").status_code == 404
        assert client.get(post.video.url).status_code == 404
        assert client.get(f"/p/{post.pk}/download/").status_code == 404
    doors = [
        f"/p/{post.pk}/like/",
        f"/p/{post.pk}/comments/new/",
        f"/p/{post.pk}/share/",
        f"/p/{post.pk}/not-interested/",
        f"/p/{post.pk}/report/",
    ]
    for url in doors:
        response = as_charlie.post(url, {"text": "hi", "category": "spam"}, HTTP_ACCEPT="application/json")
        assert response.status_code == 404 and response.json()["error"]["code"] == "post_not_found", url
    assert views_sent(as_charlie, post, "a") == {"recorded": 0}
    assert f'href="/p/{post.pk}/"' not in as_bob.get("/inbox/").content.decode()
    # Its owner still sees and plays it.
    as_alice = client_for(alice)
    assert as_alice.get(f"/p/{post.pk}/").status_code == 200
    assert as_alice.get(post.video.url).status_code == 200
    assert f'href="/p/{post.pk}/"' in as_alice.get("/@alice/").content.decode()


def shown_comments(post: Post) -> int:
    return sum(1 + len(comment.replies.all()) for comment in comments_of(post, None))


def comment_count(post: Post) -> int:
    return PostStats.objects.get(post=post).comments


def test_comment_counts_are_the_comments_others_see_after_moderation_and_deletion(
    alice: User, bob: User, charlie: User
) -> None:
    post = post_make(alice, "kite")
    first = services.comment_create(author=bob, post=post, text="first")
    reply = services.comment_create(author=charlie, post=post, text="reply", parent=first)
    second = services.comment_create(author=charlie, post=post, text="second")
    steps = [
        lambda: services.comment_hidden_set(comment=reply, hidden=True, reason="Removed by a moderator: rude"),
        lambda: services.comment_hidden_set(comment=first, hidden=True, reason="Hidden while a moderator reviews it"),
        lambda: services.comment_hidden_set(comment=reply, hidden=False),  # still under a hidden comment
        lambda: services.comment_delete(comment=first, by=bob),  # hidden, deleted by its author
        lambda: services.comment_hidden_set(comment=second, hidden=True, reason="Removed by a moderator: spam"),
        lambda: services.comment_create(author=charlie, post=post, text="why?", parent=second),  # its author replies
        lambda: services.comment_delete(comment=second, by=alice),  # hidden, deleted by the post's author
    ]
    assert comment_count(post) == shown_comments(post) == 3
    for step in steps:
        step()
        assert comment_count(post) == shown_comments(post)
    assert not Comment.objects.exists() and comment_count(post) == 0


def test_after_a_cameo_is_deleted_the_videos_showing_it_render_for_their_owner_and_are_gone_for_others(
    alice: User, bob: User, charlie: User, mod: User
) -> None:
    cameo = active_cameo(alice, access=Cameo.Access.EVERYONE)
    job = as_draft(job_with(bob, "@alice waves from a boat"))
    post = post_published(job=job, by=bob)
    report_create(reporter=charlie, subject_type="post", subject_id=str(post.pk), category="spam")

    ledger.cameo_delete(cameo=cameo, by=alice)

    as_bob = client_for(bob)
    for url in ("/drafts/", f"/drafts/{job.public_id}/card/", f"/p/{post.pk}/", "/@bob/"):
        response = as_bob.get(url)
        assert response.status_code == 200 and REMOVED in response.content.decode(), url
    download = as_bob.get(f"/p/{post.pk}/download/", HTTP_ACCEPT="application/json")
    assert download.status_code == 410 and download.json()["error"]["code"] == "post_media_erased"
    as_charlie = client_for(charlie)
    for url in (f"/p/{post.pk}/", f"/p/{post.pk}/download/"):
        assert as_charlie.get(url).status_code == 404, url
    # A moderator still settles the report with a removal.
    case = ModerationCase.objects.get(subject_type="post", subject_id=str(post.pk))
    case_act(case_id=case.pk, by=mod, action="remove", reason="spam")
    post.refresh_from_db()
    assert post.taken_down_at is not None and post.taken_down_reason == "Removed by a moderator: spam"
    case.refresh_from_db()
    assert (case.status, case.visibility) == ("closed", "removed")


def test_a_hidden_profile_leaves_the_people_lists_and_its_own_lists_are_hidden(
    alice: User, bob: User, charlie: User, mod: User
) -> None:
    follow_create(follower=alice, followee=bob)
    follow_create(follower=charlie, followee=alice)
    profile_hidden_set(user=alice, hidden=True, reason="Removed by a moderator: impersonation")

    def listed(client: Client, url: str) -> str:
        page = client.get(url).content.decode()
        return page[page.index('<ul class="people card">') :].split("</ul>")[0]

    for client in (client_for(charlie), Client()):
        assert "@alice" not in listed(client, "/@bob/followers/")
        assert "@charlie" not in listed(client, "/@alice/followers/")
    assert "@alice" in listed(client_for(alice), "/@bob/followers/")  # its owner still sees it
    assert "@charlie" in listed(client_for(mod), "/@alice/followers/")


@pytest.mark.parametrize(("action", "code"), [("suspend", "account_suspended"), ("ban", "account_banned")])
def test_suspended_and_banned_people_cannot_comment(action: str, code: str, alice: User, bob: User, mod: User) -> None:
    post = post_make(alice, "kite")
    sanction(bob, action=action, reporter=alice, mod=mod)
    response = client_for(bob).post(reverse("comment_create", args=[post.pk]), {"text": "nice kite"})
    assert response.status_code == 403
    assert "comment" in response.content.decode()  # said in the sheet, which stays open
    assert 'value="nice kite"' in response.content.decode()  # with the text kept in the box
    assert not Comment.objects.exists()


def test_a_hidden_comment_answers_others_as_a_missing_one(alice: User, bob: User, charlie: User) -> None:
    post = post_make(alice, "kite")
    hidden = services.comment_create(author=bob, post=post, text="rude")
    services.comment_hidden_set(comment=hidden, hidden=True, reason="Removed by a moderator: rude")
    missing = hidden.pk + 1000
    for comment_id in (hidden.pk, missing):
        report = client_for(charlie).post(reverse("comment_report", args=[comment_id]), {"category": "spam"})
        reply = client_for(charlie).post(
            reverse("comment_create", args=[post.pk]), {"text": "hm", "parent": comment_id}
        )
        assert (report.status_code, reply.status_code) == (404, 404)
    assert not Report.objects.exists() and list(Comment.objects.all()) == [hidden]
