"""The moderator's item page for one case: role-gated; the subject, evidence frames, scores, the
subject's whole history, every report with its reporter's record and the owner's standing; every
action on it goes through `case_act`, one event each, with the status row in the same transaction."""

from __future__ import annotations

import contextlib

import pytest
from django.urls import reverse

from cameos.models import Cameo, CameoUsage
from cameos.services import ledger
from feed.models import Post, User
from generation import services as generation_services
from generation import worker
from generation.finishing import Clip
from generation.models import GenerationJob
from generation.safety import frames_check
from moderation.cases import case_act
from moderation.models import ModerationCase, ModerationEvent, Report, Sanction
from moderation.reports import report_create
from sora_site.errors import DomainError
from tests.builders.cameos import active_cameo
from tests.builders.explicit_drawing import torso_drawing
from tests.builders.posts import post_make
from tests.cameos.test_cameo_lifecycle import as_draft, job_with
from tests.moderation.test_queue import client_for


@pytest.fixture
def post(alice: User) -> Post:
    return post_make(alice, "a kite over the dunes")


@pytest.fixture
def case(post: Post, bob: User, charlie: User) -> ModerationCase:
    report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="hate", note="slur at 2 s")
    return report_create(
        reporter=charlie, subject_type="post", subject_id=str(post.pk), category="spam", start_s=1.0, end_s=3.0
    ).case


def page_of(user: User, case: ModerationCase) -> tuple[int, str]:
    response = client_for(user).get(reverse("moderation_case", args=[case.pk]))
    return response.status_code, response.content.decode()


def act(user: User, case: ModerationCase, action: str, **fields: str) -> int:
    data = {"action": action, "back": "case", **fields}
    response = client_for(user).post(reverse("moderation_case_act", args=[case.pk]), data)
    return response.status_code


def test_only_moderators_open_the_item_page(case: ModerationCase, charlie: User, alice: User, mod: User) -> None:
    assert page_of(charlie, case)[0] == 403
    assert page_of(alice, case)[0] == 403  # the owner of the subject neither
    assert client_for(charlie).get(reverse("moderation_case", args=[999_999])).status_code == 403
    assert page_of(mod, case)[0] == 200
    assert client_for(mod).get(reverse("moderation_case", args=[999_999])).status_code == 404
    assert act(charlie, case, "hide", reason="mine now") == 403
    assert list(ModerationEvent.objects.filter(case=case).values_list("action", flat=True)) == ["reported"] * 2


def test_the_queue_links_each_case_to_its_item_page(case: ModerationCase, mod: User) -> None:
    queue = client_for(mod).get(reverse("moderation_queue")).content.decode()
    assert f'href="{reverse("moderation_case", args=[case.pk])}"' in queue


def test_the_page_shows_the_subject_reports_and_reporter_records(
    case: ModerationCase, post: Post, alice: User, bob: User, charlie: User, mod: User
) -> None:
    # bob's record: an earlier report of his was upheld (its post hidden), another dismissed.
    upheld = report_create(reporter=bob, subject_type="post", subject_id=str(post_make(alice, "x").pk), category="spam")
    case_act(case_id=upheld.case_id, by=mod, action="hide", reason="spam")
    dismissed = report_create(
        reporter=bob, subject_type="post", subject_id=str(post_make(alice, "y").pk), category="spam"
    )
    case_act(case_id=dismissed.case_id, by=mod, action="approve")

    status, page = page_of(mod, case)
    assert status == 200
    assert post.video.url in page and "a kite over the dunes" in page  # the post, by its registry partial
    assert "2 reports" in page and "slur at 2 s" in page and "1.0–3.0 s" in page
    bob_row = page[page.index(f'data-report-id="{Report.objects.get(case=case, reporter=bob).pk}"') :]
    assert "3 filed · 1 upheld · 1 dismissed" in bob_row[: bob_row.index("</tr>")]
    charlie_row = page[page.index(f'data-report-id="{Report.objects.get(case=case, reporter=charlie).pk}"') :]
    assert "1 filed · 0 upheld · 0 dismissed" in charlie_row[: charlie_row.index("</tr>")]
    assert "account 0 days old" in charlie_row
    # alice's standing: the hide on her other post.
    assert "Owner: @alice" in page and "0 active strikes" in page and "Hidden · spam" in page


@pytest.mark.slow
def test_a_blocked_job_shows_its_frames_scores_and_prompt_to_moderators_only(
    alice: User, charlie: User, mod: User
) -> None:
    job, _ = generation_services.job_create(owner=alice, prompt="a quiet harbour at dawn")
    request = worker.job_request_build(job, contextlib.ExitStack())
    with pytest.raises(DomainError):
        frames_check(Clip(job, request, [torso_drawing(size=(720, 1280))] * 48, 24, None, 48_000))
    case = ModerationCase.objects.get(subject_type="job", subject_id=str(job.pk))
    frames = list(case.frames.all())

    status, page = page_of(mod, case)
    assert status == 200
    assert all(frame.image.url in page for frame in frames) and "FEMALE_BREAST_EXPOSED" in page
    scores = page[page.index('data-testid="case-scores"') :]
    assert "nudity_blocked" in scores and "frames" in scores and "a quiet harbour at dawn" in scores
    assert client_for(mod).get(frames[0].image.url).status_code == 200
    assert client_for(charlie).get(frames[0].image.url).status_code == 404  # evidence: moderators only
    assert client_for(alice).get(frames[0].image.url).status_code == 404


def test_history_covers_every_case_on_the_subject_newest_first(
    case: ModerationCase, post: Post, bob: User, mod: User
) -> None:
    case_act(case_id=case.pk, by=mod, action="approve")
    again = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="violence").case
    assert again.pk != case.pk
    act(mod, again, "note", reason="same post as before")
    page = page_of(mod, again)[1]
    history = page[page.index('data-testid="case-history"') :]
    actions = [chunk.split('"')[0] for chunk in history.split('data-action="')[1:]]
    assert actions == ["note", "reported", "approve", "reported", "reported"]
    assert "same post as before" in history and f'href="{reverse("moderation_case", args=[case.pk])}"' in history


@pytest.mark.parametrize(
    ("action", "fields", "status", "visibility", "sanction"),
    [
        ("approve", {}, "closed", "visible", None),
        ("hide", {"reason": "hateful"}, "closed", "hidden", "hide"),
        ("remove", {"reason": "hateful"}, "closed", "removed", "remove"),
        ("strike", {"reason": "hateful"}, "open", "visible", "strike"),
        ("suspend", {"reason": "hateful", "days": "7"}, "open", "visible", "suspend"),
        ("ban", {"reason": "hateful"}, "open", "visible", "ban"),
        ("escalate", {}, "escalated", "visible", None),
        ("note", {"reason": "looked at it"}, "open", "visible", None),
        ("resolve", {}, "closed", "visible", None),
    ],
)
def test_each_action_on_the_page_writes_one_event_and_moves_the_status_row(
    case: ModerationCase,
    alice: User,
    mod: User,
    action: str,
    fields: dict[str, str],
    status: str,
    visibility: str,
    sanction: str | None,
) -> None:
    before = ModerationEvent.objects.filter(case=case).count()
    assert act(mod, case, action, **fields) == 302
    case.refresh_from_db()
    assert (case.status, case.visibility) == (status, visibility)
    event = ModerationEvent.objects.filter(case=case).latest("pk")
    assert ModerationEvent.objects.filter(case=case).count() == before + 1
    assert (event.action, event.actor) == (action, mod)
    if sanction:
        assert Sanction.objects.get(case=case).kind == sanction and Sanction.objects.get(case=case).user == alice
    else:
        assert not Sanction.objects.filter(case=case).exists()
    if action in ("resolve", "approve", "hide", "remove"):
        assert not Report.objects.filter(case=case, resolved_at=None).exists()  # bulk-resolved, both reports


def test_a_refused_action_changes_nothing(case: ModerationCase, mod: User) -> None:
    response = client_for(mod).post(reverse("moderation_case_act", args=[case.pk]), {"action": "suspend", "days": "0"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert (case.status, case.visibility) == ("open", "visible")
    assert ModerationEvent.objects.filter(case=case).count() == 2


@pytest.mark.parametrize("back", ["case", "queue"])
def test_a_remove_without_a_reason_comes_back_to_the_case_with_the_refusal(
    case: ModerationCase, mod: User, charlie: User, back: str
) -> None:
    # From the queue's form or the item page: the item page again, saying why, with what was typed kept.
    data = {"action": "remove", "reason": "  ", "days": "7", "back": back}
    response = client_for(mod).post(reverse("moderation_case_act", args=[case.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-error-code="moderation_reason_required"' in page
    assert reverse("moderation_case_act", args=[case.pk]) in page and 'value="7"' in page
    case.refresh_from_db()
    assert (case.status, case.visibility) == ("open", "visible")
    # Someone who is not a moderator still learns nothing about the case.
    assert client_for(charlie).post(reverse("moderation_case_act", args=[case.pk]), data).status_code == 403


def test_a_cameo_use_its_owner_reported_is_reviewed_and_removed_from_its_page(
    alice: User, bob: User, charlie: User, mod: User
) -> None:
    cameo = active_cameo(alice, access=Cameo.Access.EVERYONE)
    job = as_draft(job_with(charlie, "@alice dances on a table"))
    usage = CameoUsage.objects.get(cameo=cameo, job=job)
    case = ledger.usage_report(cameo=cameo, by=alice, usage_id=usage.pk, note="I never agreed")
    assert (case.subject_type, case.subject_id) == ("job", str(job.pk))

    status, page = page_of(mod, case)
    assert status == 200
    assert job.video.url in page and "@alice dances on a table" in page and "I never agreed" in page
    assert "Owner: @charlie" in page
    assert client_for(mod).get(job.video.url).status_code == 200  # a draft, readable while it is a case
    assert client_for(bob).get(job.video.url).status_code == 404

    assert act(mod, case, "remove", reason="no consent from the cameo's owner") == 302
    case.refresh_from_db()
    assert (case.status, case.visibility) == ("closed", "removed")
    assert not GenerationJob.objects.filter(pk=job.pk).exists()  # the draft is withdrawn: deleted
    assert Sanction.objects.get(case=case).user == charlie
