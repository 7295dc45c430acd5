"""Reports: categories that fit the subject, an optional time range, one case per subject, a flood
limit, and the reporter no longer seeing what they reported (optionally blocking its author)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from feed.graph.selectors import is_blocked_either_way
from feed.models import Post, User
from feed.ranking.cursor import Cursor
from feed.ranking.pipeline import for_you_page
from moderation.models import ModerationCase, Report
from moderation.reports import report_create
from sora_site.errors import DomainError
from tests.conftest import PASSWORD


def feed_posts(viewer: User) -> list[Post]:
    """What For You serves this person first."""
    return [item.post for item in for_you_page(viewer, Cursor()).items]


@pytest.fixture
def post(alice: User) -> Post:
    return Post.objects.create(author=alice, video="posts/x.mp4", caption="a kite", visibility="public")


def test_a_report_joins_the_subjects_case_with_its_range(post: Post, bob: User, charlie: User) -> None:
    first = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="spam")
    second = report_create(
        reporter=charlie, subject_type="post", subject_id=str(post.pk), category="likeness", start_s=1.0, end_s=2.5
    )
    assert first.case_id == second.case_id
    case = ModerationCase.objects.get()
    assert case.status == "open" and case.subject_type == "post"
    events = list(case.events.values_list("action", "detail"))
    assert [action for action, _ in events] == ["reported", "reported"]
    assert events[1][1]["start_s"] == 1.0 and events[1][1]["end_s"] == 2.5


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"subject_type": "comment", "category": "likeness"}, "report_bad_category"),  # only where it fits
        ({"subject_type": "post", "category": "nonsense"}, "report_bad_category"),
        ({"subject_type": "job", "category": "spam"}, "report_bad_subject"),
        ({"subject_type": "post", "category": "spam", "start_s": 3.0, "end_s": 1.0}, "report_bad_range"),
    ],
)
def test_bad_reports_are_refused(bob: User, fields: dict, code: str) -> None:
    with pytest.raises(DomainError) as error:
        report_create(reporter=bob, subject_id="1", **fields)
    assert error.value.code == code
    assert not Report.objects.exists()


def test_report_floods_are_rate_limited(bob: User, settings) -> None:
    settings.MODERATION_REPORTS_PER_HOUR = 3
    for subject in range(1, 4):  # other people's profiles (never bob's own: that is refused)
        report_create(reporter=bob, subject_type="profile", subject_id=str(bob.pk + subject), category="spam")
    with pytest.raises(DomainError) as error:
        report_create(reporter=bob, subject_type="profile", subject_id=str(bob.pk + 9), category="spam")
    assert (error.value.code, error.value.status) == ("report_rate_limited", 429)


def test_the_reporter_no_longer_sees_the_post_and_may_block_its_author(post: Post, bob: User, charlie: User) -> None:
    client = Client()
    client.login(username="bob", password=PASSWORD)
    response = client.post(reverse("post_report", args=[post.pk]), {"category": "hate", "note": "slurs", "block": "on"})
    assert response.status_code == 302
    assert post not in feed_posts(bob)
    assert post in feed_posts(charlie)  # others still see it until a moderator decides
    assert is_blocked_either_way(bob, post.author)
    assert Report.objects.get().note == "slurs"


def test_a_moderator_sees_the_reported_post_and_takes_it_down(post: Post, bob: User, mod: User) -> None:
    report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="spam", note="scam link")
    client = Client()
    client.login(username="mod", password=PASSWORD)
    page = client.get(reverse("moderation_queue")).content.decode()
    case = ModerationCase.objects.get()
    assert f'data-case-id="{case.pk}"' in page and "Post by @alice" in page and "Take down" in page
    assert "scam link" in page  # the report's note is in the case history
    client.post(reverse("moderation_case_act", args=[case.pk]), {"action": "take_down"})
    post.refresh_from_db()
    case.refresh_from_db()
    assert post.taken_down_at is not None and case.status == "closed"
    assert list(case.events.values_list("action", flat=True)) == ["reported", "take_down"]
