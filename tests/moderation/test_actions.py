"""Moderator actions on a case (each audited, each refused to non-moderators), the status row that
moves with every event, sanctions on people, and appeals (once, within 30 days, reversing on uphold)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from feed.models import Post, User
from feed.notifications.models import Notification
from feed.posts.selectors import post_get_for_viewer, posts_visible_to
from feed.posts.services import post_publish
from generation.models import GenerationJob
from generation.services import job_create
from moderation.appeals import appeal_create, appeal_decide
from moderation.cases import CASE_ACTIONS, case_act, case_open
from moderation.models import Appeal, ModerationCase, ModerationEvent, Report, Sanction
from moderation.reports import report_create
from moderation.sanctions import account_standing_check
from moderation.selectors import QueueFilter, queue_rows
from sora_site.errors import DomainError
from tests.builders.posts import post_make
from tests.moderation.test_queue import client_for


@pytest.fixture
def post(alice: User) -> Post:
    return post_make(alice, "a kite over the dunes")


@pytest.fixture
def case(post: Post, bob: User) -> ModerationCase:
    return report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="hate").case


def act(case: ModerationCase, by: User, action: str, reason: str = "breaks the rules", **kw: int) -> ModerationCase:
    return case_act(case_id=case.pk, by=by, action=action, reason=reason, **kw)


def events(case: ModerationCase) -> list[str]:
    return list(ModerationEvent.objects.filter(case=case).values_list("action", flat=True))


def code_of(error: pytest.ExceptionInfo[DomainError]) -> str:
    return error.value.code


def test_hiding_a_post_keeps_it_for_its_author_only_and_tells_them(
    case: ModerationCase, post: Post, alice: User, charlie: User, mod: User
) -> None:
    act(case, mod, "hide", "hateful caption")
    case.refresh_from_db()
    assert (case.status, case.visibility) == ("closed", "hidden")
    assert events(case) == ["reported", "hide"]
    assert post not in posts_visible_to(charlie)
    with pytest.raises(DomainError) as error:
        post_get_for_viewer(post.pk, charlie)
    assert code_of(error) == "post_taken_down"
    seen = post_get_for_viewer(post.pk, alice)
    assert "Hidden while a moderator reviews it: hateful caption" in seen.taken_down_reason
    sanction = Sanction.objects.get()
    assert (sanction.user, sanction.kind) == (alice, "hide")
    note = Notification.objects.get(recipient=alice, kind="moderation_action")
    assert "hateful caption" in note.text and note.subject == f"sanction:{sanction.pk}"
    assert Report.objects.get().resolved_at is not None
    page = client_for(alice).get(reverse("post_detail", args=[post.pk])).content.decode()
    assert reverse("moderation_appeal", args=[sanction.pk]) in page


def test_remove_then_approve_move_the_status_row(case: ModerationCase, post: Post, charlie: User, mod: User) -> None:
    act(case, mod, "escalate", "needs a second look")
    case.refresh_from_db()
    assert case.status == "escalated"
    act(case, mod, "remove", "hate speech")
    case.refresh_from_db()
    assert (case.status, case.visibility) == ("closed", "removed")
    post.refresh_from_db()
    assert post.taken_down_reason.startswith("Removed by a moderator")
    with pytest.raises(DomainError) as error:
        act(case, mod, "approve")
    assert code_of(error) == "case_closed"
    act(case, mod, "note", "checked the author's other posts")  # notes go on closed cases too
    assert events(case)[-1] == "note"
    again = report_create(reporter=charlie, subject_type="post", subject_id=str(post.pk), category="spam").case
    assert again.pk != case.pk and again.visibility == "removed"  # the subject's state carries over


def test_approve_shows_a_hidden_post_again(post: Post, bob: User, charlie: User, mod: User) -> None:
    case = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="spam").case
    case_act(case_id=case.pk, by=mod, action="approve")
    case.refresh_from_db()
    assert (case.status, case.visibility) == ("closed", "visible")
    assert post in posts_visible_to(charlie)


def test_bulk_resolve_settles_every_report_on_the_subject(post: Post, bob: User, charlie: User, mod: User) -> None:
    report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="spam")
    case = report_create(reporter=charlie, subject_type="post", subject_id=str(post.pk), category="spam").case
    act(case, mod, "resolve", "not spam")
    assert Report.objects.filter(resolved_at=None).count() == 0
    assert ModerationEvent.objects.get(case=case, action="resolve").detail["reports"] == 2
    assert ModerationCase.objects.get(pk=case.pk).status == "closed"


def test_strike_and_ban_are_sanctions_on_the_owner(case: ModerationCase, alice: User, mod: User) -> None:
    act(case, mod, "strike", "first warning")
    act(case, mod, "ban", "repeated hate")
    assert list(Sanction.objects.filter(user=alice).values_list("kind", flat=True).order_by("pk")) == ["strike", "ban"]
    with pytest.raises(DomainError) as error:
        job_create(owner=alice, prompt="a kite over the dunes")
    assert code_of(error) == "account_banned"


def test_a_suspended_user_cannot_create_or_post_until_it_ends(case: ModerationCase, alice: User, mod: User) -> None:
    act(case, mod, "suspend", "spam wave", days=3)
    sanction = Sanction.objects.get()
    assert sanction.ends_at is not None and sanction.ends_at - sanction.created_at == dt.timedelta(days=3)
    with pytest.raises(DomainError) as error:
        job_create(owner=alice, prompt="a kite over the dunes")
    assert (code_of(error), error.value.status) == ("account_suspended", 403)
    assert "spam wave" in error.value.message and not GenerationJob.objects.exists()
    draft = GenerationJob.objects.create(
        owner=alice, prompt="a kite", state=GenerationJob.State.COMPLETED, seconds=4, width=720, height=1280, seed=1
    )
    with pytest.raises(DomainError) as error:
        post_publish(job=draft, by=alice, caption="", visibility="public", show_prompt=True)
    assert code_of(error) == "account_suspended"
    Sanction.objects.filter(pk=sanction.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    account_standing_check(user=alice)  # over: no error


@pytest.mark.parametrize(
    ("action", "fields", "code"),
    [
        ("suspend", {"days": 0}, "moderation_bad_days"),
        ("suspend", {}, "moderation_bad_days"),
        ("strike", {"reason": " "}, "moderation_reason_required"),
        ("delete_everything", {}, "moderation_bad_action"),
    ],
)
def test_bad_actions_are_refused_and_record_nothing(
    case: ModerationCase, mod: User, action: str, fields: dict, code: str
) -> None:
    with pytest.raises(DomainError) as error:
        case_act(case_id=case.pk, by=mod, action=action, **{"reason": "x", **fields})
    assert code_of(error) == code
    assert events(case) == ["reported"] and not Sanction.objects.exists()


def test_charlie_is_refused_every_action_and_appeal_decision(case: ModerationCase, charlie: User, mod: User) -> None:
    for action in CASE_ACTIONS:
        with pytest.raises(DomainError) as error:
            act(case, charlie, action, days=1)
        assert code_of(error) == "not_moderator"
    act(case, mod, "hide")
    appeal = appeal_create(sanction_id=Sanction.objects.get().pk, by=case.sanctions.get().user, text="ok")
    with pytest.raises(DomainError) as error:
        appeal_decide(appeal_id=appeal.pk, by=charlie, uphold=True)
    assert code_of(error) == "not_moderator"
    ban = {"action": "ban", "reason": "x"}
    response = client_for(charlie).post(reverse("moderation_case_act", args=[case.pk]), ban)
    assert response.status_code == 403
    assert events(case) == ["reported", "hide", "appealed"]


def test_an_upheld_appeal_restores_the_post_and_reopens_then_closes_the_case(
    case: ModerationCase, post: Post, alice: User, charlie: User, mod: User
) -> None:
    act(case, mod, "hide", "looked hateful")
    sanction = Sanction.objects.get()
    client_for(alice).post(reverse("moderation_appeal", args=[sanction.pk]), {"text": "It is a quote from a film."})
    case.refresh_from_db()
    assert case.status == "open"
    assert [row.case for row in queue_rows(queue_filter=QueueFilter(appealed=True))] == [case]
    appeal_decide(appeal_id=Appeal.objects.get().pk, by=mod, uphold=True, reason="Fair point.")
    case.refresh_from_db()
    assert (case.status, case.visibility) == ("closed", "visible")
    assert post in posts_visible_to(charlie)
    assert events(case) == ["reported", "hide", "appealed", "appeal_upheld"]
    sanction.refresh_from_db()
    assert sanction.lifted_at is not None
    assert "upheld" in Notification.objects.filter(recipient=alice, kind="moderation_appeal").get().text


def test_an_upheld_appeal_lifts_a_suspension_and_a_denied_one_keeps_it(
    case: ModerationCase, alice: User, mod: User
) -> None:
    act(case, mod, "suspend", "spam", days=7)
    act(case, mod, "strike", "spam")
    suspension, strike = Sanction.objects.order_by("pk")
    first = appeal_create(sanction_id=suspension.pk, by=alice, text="I was hacked")
    second = appeal_create(sanction_id=strike.pk, by=alice, text="Same")
    appeal_decide(appeal_id=second.pk, by=mod, uphold=False)
    assert ModerationCase.objects.get(pk=case.pk).status == "open"  # one appeal still waits
    appeal_decide(appeal_id=first.pk, by=mod, uphold=True)
    account_standing_check(user=alice)  # lifted: she may create again
    strike.refresh_from_db()
    assert strike.lifted_at is None
    with pytest.raises(DomainError) as error:
        appeal_decide(appeal_id=first.pk, by=mod, uphold=False)
    assert code_of(error) == "appeal_decided"


def test_appealing_twice_is_refused(case: ModerationCase, alice: User, mod: User) -> None:
    act(case, mod, "strike")
    sanction = Sanction.objects.get()
    appeal_create(sanction_id=sanction.pk, by=alice, text="unfair")
    with pytest.raises(DomainError) as error:
        appeal_create(sanction_id=sanction.pk, by=alice, text="really unfair")
    assert code_of(error) == "appeal_exists"
    assert Appeal.objects.count() == 1


def test_appealing_after_30_days_is_refused(case: ModerationCase, alice: User, mod: User) -> None:
    act(case, mod, "strike")
    Sanction.objects.update(created_at=timezone.now() - dt.timedelta(days=30, minutes=1))
    with pytest.raises(DomainError) as error:
        appeal_create(sanction_id=Sanction.objects.get().pk, by=alice, text="late")
    assert code_of(error) == "appeal_too_late"
    assert not Appeal.objects.exists()


def test_only_the_sanctioned_person_may_appeal(case: ModerationCase, charlie: User, mod: User) -> None:
    act(case, mod, "strike")
    sanction = Sanction.objects.get()
    with pytest.raises(DomainError) as error:
        appeal_create(sanction_id=sanction.pk, by=charlie, text="let me")
    assert (code_of(error), error.value.status) == ("sanction_not_found", 404)
    assert client_for(charlie).get(reverse("moderation_appeal", args=[sanction.pk])).status_code == 404


def test_the_queue_is_ordered_by_severity_then_age_and_filters(alice: User, bob: User, mod: User) -> None:
    def report(caption: str, category: str) -> Report:
        return report_create(
            reporter=bob, subject_type="post", subject_id=str(post_make(alice, caption).pk), category=category
        )

    old_spam, minors, new_spam = report("a", "spam"), report("b", "minor_safety"), report("c", "spam")
    frames = case_open(subject_type="job", subject_id="7", category="nudity", summary="frames")
    order = [row.case.pk for row in queue_rows()]
    assert order == [minors.case_id, frames.pk, old_spam.case_id, new_spam.case_id]
    assert [row.case.pk for row in queue_rows(queue_filter=QueueFilter(stage="frames"))] == [frames.pk]
    assert [row.case.pk for row in queue_rows(queue_filter=QueueFilter(category="nudity"))] == [frames.pk]
    page = client_for(mod).get(reverse("moderation_queue"), {"stage": "report"}).content.decode()
    assert f'data-case-id="{minors.case_id}"' in page and f'data-case-id="{frames.pk}"' not in page


def test_a_subject_without_an_owner_cannot_be_struck(mod: User) -> None:
    case = case_open(subject_type="job", subject_id="7", category="nudity", summary="frames")
    with pytest.raises(DomainError) as error:
        act(case, mod, "strike")
    assert code_of(error) == "moderation_no_owner"
    with pytest.raises(DomainError) as error:
        act(case, mod, "hide")
    assert code_of(error) == "moderation_cannot_hide"
    assert events(case) == ["flagged"]
