"""Reports on comments and profiles through their pages, and the moderators' actions on them: a hidden
comment is gone for everyone but its author (who is told why), a hidden profile shows others its handle
only, and an upheld appeal brings either back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from feed.engagement.models import Comment, PostStats
from feed.engagement.services import comment_create
from feed.graph.selectors import is_blocked_either_way
from feed.models import Post, User
from feed.notifications.models import Notification
from moderation.appeals import appeal_create, appeal_decide
from moderation.cases import case_act
from moderation.models import ModerationCase, Report, Sanction
from moderation.reports import report_create
from sora_site.errors import DomainError
from tests.builders.posts import post_make
from tests.moderation.test_queue import client_for


@pytest.fixture
def post(alice: User) -> Post:
    return post_make(alice, "a kite over the dunes")


@pytest.fixture
def comment(post: Post, charlie: User) -> Comment:
    return comment_create(author=charlie, post=post, text="you are all idiots")


def sheet(user: User | None, post: Post) -> str:
    """The post's comment sheet as this person (None: signed out) gets it."""
    client = client_for(user) if user is not None else Client()
    return client.get(reverse("post_comments", args=[post.pk])).content.decode()


def report_comment(reporter: User, comment: Comment, **fields: str) -> str:
    data = {"category": "hate", "note": "insult", **fields}
    response = client_for(reporter).post(reverse("comment_report", args=[comment.pk]), data)
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_a_reported_comment_leaves_the_reporters_sheet_and_opens_a_case(
    comment: Comment, post: Post, bob: User, alice: User
) -> None:
    page = report_comment(bob, comment)
    assert "Thanks, we&#x27;ll look at it." in page and "you are all idiots" not in page
    assert "you are all idiots" in sheet(alice, post)  # only the reporter stops seeing it
    report = Report.objects.get()
    assert (report.subject_type, report.subject_id, report.category) == ("comment", str(comment.pk), "hate")
    assert report.case.category == "reported" and report.case.severity == 3


def test_reporting_a_comment_can_block_its_author(comment: Comment, bob: User, charlie: User) -> None:
    page = report_comment(bob, comment, block="on")
    assert "You blocked @charlie." in page
    assert is_blocked_either_way(bob, charlie)


def test_my_likeness_does_not_fit_a_comment(comment: Comment, post: Post, bob: User) -> None:
    assert 'value="likeness"' not in sheet(bob, post)
    response = client_for(bob).post(reverse("comment_report", args=[comment.pk]), {"category": "likeness"})
    assert response.status_code == 400 and "Choose what is wrong with it." in response.content.decode()
    assert not Report.objects.exists()


def test_a_hidden_comment_is_gone_for_everyone_else_and_its_author_is_told(
    comment: Comment, post: Post, alice: User, bob: User, charlie: User, mod: User
) -> None:
    case = report_create(reporter=alice, subject_type="comment", subject_id=str(comment.pk), category="hate").case
    assert PostStats.objects.get(post=post).comments == 1
    case_act(case_id=case.pk, by=mod, action="hide", reason="insults other viewers")
    case.refresh_from_db()
    assert (case.status, case.visibility) == ("closed", "hidden")
    for viewer in (bob, None):
        page = sheet(viewer, post)
        assert "you are all idiots" not in page and "0 comments" in page
    own = sheet(charlie, post)
    assert "you are all idiots" in own
    assert "Only you can see this comment: Hidden while a moderator reviews it: insults other viewers" in own
    sanction = Sanction.objects.get(case=case)
    assert sanction.user == charlie
    note = Notification.objects.get(recipient=charlie, kind="moderation_action")
    assert "your comment" in note.text and "insults other viewers" in note.text

    # charlie appeals; upholding it brings the comment back for everyone.
    appeal_create(sanction_id=sanction.pk, by=charlie, text="it was a joke between friends")
    appeal = sanction.appeal
    appeal_decide(appeal_id=appeal.pk, by=mod, uphold=True)
    assert "you are all idiots" in sheet(bob, post) and "1 comment" in sheet(bob, post)


def test_removing_a_comment_through_the_queue_decision(comment: Comment, post: Post, bob: User, mod: User) -> None:
    case = report_create(reporter=bob, subject_type="comment", subject_id=str(comment.pk), category="hate")
    case_act(case_id=case.case_id, by=mod, action="take_down")
    comment.refresh_from_db()
    assert comment.hidden_at is not None and comment.hidden_reason.startswith("Removed by a moderator")
    assert ModerationCase.objects.get().visibility == "removed"


def test_a_profile_report_offers_impersonation_and_can_block(alice: User, bob: User, charlie: User) -> None:
    page = client_for(bob).get(reverse("profile", args=["charlie"])).content.decode()
    assert reverse("profile_report", args=["charlie"]) in page
    assert "They are pretending to be me (my name or face)" in page
    own = client_for(charlie).get(reverse("profile", args=["charlie"])).content.decode()
    assert reverse("profile_report", args=["charlie"]) not in own  # nobody reports themselves
    response = client_for(bob).post(
        reverse("profile_report", args=["charlie"]), {"category": "likeness", "note": "uses my photo", "block": "on"}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.subject_type, report.subject_id, report.category) == ("profile", str(charlie.pk), "likeness")
    assert report.case.severity == 4
    assert is_blocked_either_way(bob, charlie)


def test_a_hidden_profile_shows_others_its_handle_only(alice: User, bob: User, charlie: User, mod: User) -> None:
    post_make(charlie, "charlie's own video")
    case = report_create(
        reporter=alice, subject_type="profile", subject_id=str(charlie.pk), category="impersonation"
    ).case
    case_act(case_id=case.pk, by=mod, action="hide", reason="pretends to be alice")
    url = reverse("profile", args=["charlie"])
    for viewer in (bob, alice):
        page = client_for(viewer).get(url).content.decode()
        assert "This profile is hidden by a moderator." in page
        assert "Charlie" not in page and "charlie&#x27;s own video" not in page
    own = client_for(charlie).get(url).content.decode()
    assert "Only you and moderators can see your profile: Hidden while a moderator reviews it" in own
    sanction = Sanction.objects.get(case=case)
    assert reverse("moderation_appeal", args=[sanction.pk]) in own
    assert "This profile is hidden" not in client_for(mod).get(url).content.decode()
    again = report_create(reporter=bob, subject_type="profile", subject_id=str(charlie.pk), category="spam")
    case_act(case_id=again.case_id, by=mod, action="approve")
    assert "This profile is hidden" not in client_for(bob).get(url).content.decode()


def test_a_profile_owner_can_be_suspended_from_its_case(alice: User, charlie: User, mod: User) -> None:
    case = report_create(reporter=alice, subject_type="profile", subject_id=str(charlie.pk), category="spam")
    case_act(case_id=case.case_id, by=mod, action="suspend", reason="spam accounts", days=3)
    sanction = Sanction.objects.get()
    assert (sanction.user, sanction.kind) == (charlie, "suspend")


def test_nobody_reports_their_own_comment_or_profile(comment: Comment, charlie: User) -> None:
    for subject_type, subject_id in (("comment", str(comment.pk)), ("profile", str(charlie.pk))):
        with pytest.raises(DomainError) as error:
            report_create(reporter=charlie, subject_type=subject_type, subject_id=subject_id, category="spam")
        assert error.value.code == "report_own"
    assert not Report.objects.exists()
