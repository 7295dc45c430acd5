"""Who may post a draft and edit a post: `draft_post_check` and `post_edit_check` in feed.posts.services,
met by every door (the post page's form here)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from feed.models import Post, User
from feed.posts.services import IN_REVIEW_REASON
from tests.builders.posts import post_make
from tests.generation.test_who_may_create import sanction
from tests.moderation.test_queue import client_for


@pytest.mark.parametrize(("action", "code"), [("suspend", "account_suspended"), ("ban", "account_banned")])
def test_suspended_and_banned_authors_cannot_edit_their_posts(
    action: str, code: str, alice: User, bob: User, mod: User
) -> None:
    post = post_make(alice, "Kite day", visibility="private")
    sanction(alice, action=action, reporter=bob, mod=mod)
    client = client_for(alice)
    for change in (
        {"caption": "Kite day, again", "visibility": "private"},
        {"caption": "Kite day", "visibility": "public"},
    ):
        response = client.post(reverse("post_edit", args=[post.pk]), change, HTTP_ACCEPT="application/json")
        assert (response.status_code, response.json()["error"]["code"]) == (403, code)
    post.refresh_from_db()
    assert (post.caption, post.visibility) == ("Kite day", "private")


def test_a_held_posts_caption_stays_as_the_moderator_sees_it(alice: User) -> None:
    """Otherwise a moderator's approval would publish a caption no check has read."""
    post = post_make(
        alice,
        "Kite day",
        review=Post.Review.HELD,
        taken_down_at=timezone.now(),
        taken_down_reason=str(IN_REVIEW_REASON()),
        taken_down_sentence=IN_REVIEW_REASON().as_json(),
    )
    client = client_for(alice)
    response = client.post(reverse("post_edit", args=[post.pk]), {"caption": "something else", "visibility": "public"})
    assert response.status_code == 403
    assert "in review or taken down" in response.content.decode()
    response = client.post(reverse("post_edit", args=[post.pk]), {"caption": "Kite day", "visibility": "private"})
    assert response.status_code == 302  # its visibility may change: it stays hidden while held
    post.refresh_from_db()
    assert (post.caption, post.visibility, post.review) == ("Kite day", "private", Post.Review.HELD)
