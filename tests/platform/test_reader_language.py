"""What a person reads later (notifications, a failed video's reason, a take-down's reason, dates) is
stored as a code and its parameters and written in the reader's language and time zone when shown; sign-up
records the browser's language, and the browser's time zone becomes the account's."""

from __future__ import annotations

import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone, translation

from cameos.models import Cameo
from cameos.moves import MOVES_SAID
from cameos.services import access
from cameos.verification.pipeline import MESSAGES, VerificationFailure
from feed.graph.services import follow_create
from feed.models import Notification, Post, User
from feed.posts.receivers import post_moderation_show
from generation.models import GenerationJob
from moderation.cases import case_act
from moderation.models import Sanction
from moderation.reports import report_create
from moderation.sanctions import account_standing_check
from sora_site.errors import DomainError
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make
from tests.conftest import PASSWORD
from tests.generation.api.clients import key_for
from tests.generation.test_job_create import create
from tests.platform.test_i18n import EN, JA, compiled

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def signed_in(user: User, **cookies: str) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


@pytest.mark.django_db
def test_a_japanese_browser_on_the_default_setting_is_told_in_japanese(bob: User) -> None:
    compiled()
    form = {"username": "kenji", "display_name": "", "birth_date": "1990-04-01", "password": "a-long-passphrase-9"}
    client = Client()
    client.cookies["tz"] = "Asia/Tokyo"
    assert client.post("/signup/", form, **JA).status_code == 302
    kenji = User.objects.get(username="kenji")
    assert (kenji.language, kenji.browser_language, kenji.zone_name) == ("", "ja", "Asia/Tokyo")
    follow_create(follower=bob, followee=kenji)  # bob's side is English; kenji never opened Settings
    note = Notification.objects.get(recipient=kenji)
    assert note.text == "@bob さんがあなたをフォローしました。"  # what was pushed to kenji's open tabs
    assert note.sentence == {"code": "followed", "params": {"handle": "bob"}}
    assert "@bob さんがあなたをフォローしました。" in client.get("/inbox/", **JA).content.decode()
    # The same row, read from an English browser: written when shown, in the reader's language.
    assert "@bob started following you." in client.get("/inbox/", **EN).content.decode()


def test_a_later_visit_records_the_browser_language_while_the_setting_is_blank(alice: User, bob: User) -> None:
    compiled()
    assert alice.browser_language == ""
    signed_in(alice).get("/", **JA)
    alice.refresh_from_db()
    assert alice.browser_language == "ja"
    follow_create(follower=bob, followee=alice)
    assert Notification.objects.get(recipient=alice).text == "@bob さんがあなたをフォローしました。"
    alice.language = "en"  # a chosen language wins over the browser's, for what is sent too
    alice.save(update_fields=["language"])
    signed_in(alice).get("/", **JA)
    alice.refresh_from_db()
    assert (alice.browser_language, alice.reading_language) == ("ja", "en")


def test_a_failed_videos_reason_is_in_each_viewers_language(alice: User, bob: User) -> None:
    """bob's queued video with alice's cameo fails when she revokes him: bob reads why in his interface's
    language; the Videos API keeps its English message and stable code."""
    compiled()
    cameo = active_cameo(alice, access=Cameo.Access.APPROVED)
    access.cameo_approve_access(cameo=cameo, by=alice, user=bob)
    job = create(bob, prompt="a fox meets @alice")
    access.cameo_revoke_access(cameo=cameo, by=alice, user=bob)
    job.refresh_from_db()
    assert (job.state, job.error_code) == (GenerationJob.State.FAILED, "cameo_permission_revoked")
    english = "@alice withdrew permission to use their cameo @alice, so this video was stopped."
    japanese = "@alice さんがカメオ @alice の利用許可を取り消したため、この動画の生成を中止しました。"
    assert job.error_message == english
    client = signed_in(bob)
    assert japanese in client.get("/drafts/", **JA).content.decode()
    assert english in client.get("/drafts/", **EN).content.decode()
    api = Client(headers={"Authorization": f"Bearer {key_for(bob)}"}).get(f"/v1/videos/{job.public_id}", **JA)
    assert api.json()["error"]["message"] == english


def test_a_job_failed_before_sentences_shows_its_stored_text(alice: User) -> None:
    job = create(alice)
    GenerationJob.objects.filter(pk=job.pk).update(state="failed", error_code="generation_error", error_message="Old.")
    assert "Old." in signed_in(alice).get("/drafts/", **JA).content.decode()


def test_a_take_down_reason_is_in_the_authors_language_with_the_moderators_words_kept(alice: User, mod: User) -> None:
    compiled()
    post = post_make(alice, "a kite over the dunes")
    post_moderation_show(subject_id=str(post.pk), visibility="removed", reason="spam wave", by=mod)
    post.refresh_from_db()
    assert post.taken_down_reason == "Removed by a moderator: spam wave"
    page = signed_in(alice).get(f"/p/{post.pk}/", **JA).content.decode()
    assert "モデレーターにより削除：spam wave" in page and "Removed by a moderator" not in page
    assert "Removed by a moderator: spam wave" in signed_in(alice).get(f"/p/{post.pk}/", **EN).content.decode()
    Post.objects.filter(pk=post.pk).update(taken_down_sentence={}, taken_down_reason="Old English reason")
    assert "Old English reason" in signed_in(alice).get(f"/p/{post.pk}/", **JA).content.decode()


def test_a_suspension_is_dated_in_the_viewers_zone_and_format(alice: User, bob: User, mod: User) -> None:
    compiled()
    alice.time_zone = "Asia/Tokyo"
    alice.save(update_fields=["time_zone"])
    post = post_make(alice, "a kite over the dunes")
    case = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="spam").case
    case_act(case_id=case.pk, by=mod, action="suspend", reason="spam wave", days=3)
    ends = Sanction.objects.get(user=alice, kind="suspend").ends_at
    assert ends is not None
    tokyo = timezone.localtime(ends, TOKYO)
    japanese_date = f"{tokyo.year}年{tokyo.month}月{tokyo.day}日{tokyo.hour}:{tokyo.minute:02d}"
    told = Notification.objects.get(recipient=alice, kind="moderation_action")
    assert told.sentence["code"] == "moderation_action_until"
    inbox = signed_in(alice).get("/inbox/", **JA).content.decode()
    assert f"モデレーターがあなたの投稿に措置を取りました：{japanese_date}まで投稿停止。" in inbox
    assert "UTC" not in inbox
    # The refusal at the door says the same date, in the same zone and format.
    with timezone.override(TOKYO), translation.override("ja"), pytest.raises(DomainError) as refused:
        account_standing_check(user=alice)
    assert f"{japanese_date}まで投稿停止中" in refused.value.message


def test_the_browsers_zone_is_recorded_and_a_chosen_zone_wins(alice: User) -> None:
    signed_in(alice, tz="Not/AZone").get("/", **EN)
    alice.refresh_from_db()
    assert (alice.time_zone, alice.browser_time_zone, alice.zone_name) == ("", "", "")
    signed_in(alice, tz="Asia/Tokyo").get("/", **EN)
    alice.refresh_from_db()
    assert (alice.browser_time_zone, alice.zone_name) == ("Asia/Tokyo", "Asia/Tokyo")
    client = signed_in(alice, tz="Europe/Paris")  # travelling, with a zone of their own chosen
    form = {"display_name": "Alice", "bio": "", "language": "", "time_zone": "Asia/Tokyo"}
    assert client.post("/settings/profile/", form, **EN).status_code == 302
    alice.refresh_from_db()
    assert (alice.time_zone, alice.browser_time_zone, alice.zone_name) == ("Asia/Tokyo", "Europe/Paris", "Asia/Tokyo")
    refused = client.post("/settings/profile/", {**form, "time_zone": "Mars/Base", "display_name": "X"}, **JA)
    assert refused.status_code == 400 and "そのタイムゾーンは見つかりません。" in refused.content.decode()
    alice.refresh_from_db()
    assert (alice.display_name, alice.time_zone) == ("Alice", "Asia/Tokyo")


def test_a_failed_verification_says_what_to_fix_in_the_owners_language(alice: User) -> None:
    """The checks' reasons are kept as codes and parameters with the attempt (the head turns too)."""
    compiled()
    cameo = active_cameo(alice)
    failures = [
        VerificationFailure.of("too_short", MESSAGES["too_short"](seconds="4.2", min="8", max="12")),
        VerificationFailure.of(
            "liveness_order", MESSAGES["liveness_order"](first=MOVES_SAID["right"](), second=MOVES_SAID["left"]())
        ),
    ]
    Cameo.objects.filter(pk=cameo.pk).update(status="rejected", report={"failures": [f.as_dict() for f in failures]})
    assert failures[1].message == "Turn your head in the order shown: right, then left."
    client = signed_in(alice)
    japanese = client.get(f"/cameos/@{cameo.handle}/", **JA).content.decode()
    assert "録画の長さが4.2秒でした。8〜12秒の長さで録画してください。" in japanese
    assert "表示された順番で顔を向けてください：右、次に左。" in japanese
    english = client.get(f"/cameos/@{cameo.handle}/", **EN).content.decode()
    assert "The recording is 4.2 s long. Record for 8 to 12 seconds." in english
    assert "Turn your head in the order shown: right, then left." in english


def test_the_moderation_queue_speaks_the_moderators_language(alice: User, bob: User, mod: User) -> None:
    """Its buttons come from the catalog (in their moderation sense) and a case's summary is written when
    shown: the same case reads in Japanese to one moderator and in English to another."""
    compiled()
    post = post_make(alice, "a kite over the dunes")
    report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="spam")
    client = signed_in(mod)
    japanese = client.get("/moderation/", **JA).content.decode()
    assert "投稿を残す" in japanese and "公開停止" in japanese and "Keep post" not in japanese
    assert f"報告された投稿（{post.pk}）：スパム・詐欺" in japanese
    english = client.get("/moderation/", **EN).content.decode()
    assert "Keep post" in english and f"Reported post {post.pk}: Spam or scam" in english
