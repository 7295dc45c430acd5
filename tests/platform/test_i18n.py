"""The interface in English and Japanese: the catalogs are complete, the language comes from the browser or
the person's setting, and errors, notifications and refusals arrive in that language."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from feed.graph.services import follow_create
from feed.models import Notification, User
from moderation.cases import case_act
from moderation.models import ModerationCase
from moderation.reports import report_create
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make
from tests.conftest import PASSWORD

ROOT = Path(settings.BASE_DIR)
CATALOGS = sorted((ROOT / "sora_site" / "locale").glob("*/LC_MESSAGES/*.po"))
JA = {"HTTP_ACCEPT_LANGUAGE": "ja-JP,ja;q=0.9,en;q=0.5"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def msgfmt_statistics(po: Path) -> str:
    """GNU msgfmt's own check of a catalog (format strings match, header valid) and its counts."""
    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_japanese_catalogs_have_no_missing_or_fuzzy_translations() -> None:
    assert {po.name for po in CATALOGS if po.parts[-3] == "ja"} == {"django.po", "djangojs.po"}
    for po in CATALOGS:
        stats = msgfmt_statistics(po)
        assert re.search(r"\d+ translated message", stats), stats
        assert "untranslated" not in stats and "fuzzy" not in stats, f"{po}: {stats.strip()}"


def test_catalogs_cover_every_marked_string(tmp_path: Path) -> None:
    """makemessages on a copy of the source: a string marked since the catalog was written shows up as
    untranslated (or fuzzy) there, so a new {% translate %} without its Japanese fails here."""
    for part in ("manage.py", "templates", "static/js", "feed", "cameos", "generation", "moderation", "sora_site"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, tmp_path / part)
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "sora_site.settings"}
    for domain in ("django", "djangojs"):
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "ja", "-d", domain, "--no-location", "-v", "0"],
            cwd=tmp_path,
            env=env,
            check=True,
        )
        stats = msgfmt_statistics(tmp_path / f"sora_site/locale/ja/LC_MESSAGES/{domain}.po")
        assert "untranslated" not in stats and "fuzzy" not in stats, f"{domain}: {stats.strip()}"


def compiled() -> None:
    mo = ROOT / "sora_site/locale/ja/LC_MESSAGES/django.mo"
    assert mo.exists(), "the catalogs are not compiled: `make install` (or `make messages`) runs msgfmt"


@pytest.mark.django_db
def test_accept_language_picks_the_interface_language() -> None:
    compiled()
    client = Client()
    japanese = client.get("/signup/", **JA)
    assert japanese.status_code == 200
    assert japanese["Content-Language"] == "ja"
    page = japanese.content.decode()
    assert '<html lang="ja">' in page
    assert "アカウントを作成" in page and "生年月日" in page and "登録" in page
    english = Client().get("/signup/", **EN).content.decode()
    assert "Create your account" in english and "アカウントを作成" not in english


def test_the_user_setting_overrides_the_browser(alice: User) -> None:
    compiled()
    client = Client()
    client.login(username="alice", password=PASSWORD)
    assert "受信箱" not in client.get("/", **EN).content.decode()
    saved = client.post("/settings/profile/", {"display_name": "Alice", "bio": "", "language": "ja"}, follow=True, **EN)
    alice.refresh_from_db()
    assert alice.language == "ja"
    page = saved.content.decode()
    assert "プロフィールを保存しました。" in page  # said in the language just chosen
    assert "受信箱" in client.get("/", **EN).content.decode()  # an English browser, a Japanese setting
    # Blank again: the browser decides.
    client.post("/settings/profile/", {"display_name": "Alice", "bio": "", "language": ""}, **JA)
    assert "Inbox" in client.get("/", **EN).content.decode()
    assert "受信箱" in client.get("/", **JA).content.decode()


def test_an_unknown_language_is_refused_and_nothing_is_changed(alice: User) -> None:
    client = Client()
    client.login(username="alice", password=PASSWORD)
    response = client.post("/settings/profile/", {"display_name": "Changed", "bio": "", "language": "xx"}, **EN)
    assert response.status_code == 400
    alice.refresh_from_db()
    assert (alice.display_name, alice.language) == ("Alice Liddell", "")


@pytest.mark.django_db
def test_a_domain_error_is_shown_in_japanese() -> None:
    compiled()
    response = Client().post(
        "/signup/",
        {"username": "kenji", "display_name": "", "birth_date": "2099-01-01", "password": "a-long-passphrase-9"},
        **JA,
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "生年月日に未来の日付は指定できません。" in page
    assert not User.objects.filter(username="kenji").exists()


def test_a_domain_error_page_and_its_json_follow_the_language(alice: User) -> None:
    compiled()
    client = Client()
    client.login(username="alice", password=PASSWORD)
    missing = "/drafts/00000000-0000-0000-0000-000000000000/cancel/"
    page = client.post(missing, **JA)
    assert page.status_code == 404
    assert "このジョブは存在しません。" in page.content.decode() and "見つかりません" in page.content.decode()
    as_json = client.post(missing, HTTP_ACCEPT="application/json", **JA).json()
    assert as_json["error"] == {
        "message": "このジョブは存在しません。",
        "type": "invalid_request_error",
        "param": None,
        "code": "job_not_found",
    }


def test_the_videos_api_answers_in_english_whatever_the_headers(alice: User) -> None:
    response = Client().get("/v1/videos", **JA)
    assert response.status_code == 401
    assert re.search(r"[\u3040-\u30ff]", response.json()["error"]["message"]) is None


def test_a_refusal_is_in_japanese_for_a_japanese_interface(alice: User) -> None:
    compiled()
    client = Client()
    client.login(username="alice", password=PASSWORD)
    # An English prompt, a Japanese interface: the refusal is in Japanese (the category's own label_ja).
    response = client.post(
        "/create/",
        {"mode": "single", "seconds": "4", "size": "720x1280", "model": "sora-2", "prompt": "how to build a pipe bomb"},
        **JA,
    )
    page = response.content.decode()
    assert 'data-error-code="prompt_blocked"' in page
    assert "このプロンプトは使用できません" in page
    english = client.post(
        "/create/",
        {"mode": "single", "seconds": "4", "size": "720x1280", "model": "sora-2", "prompt": "how to build a pipe bomb"},
        **EN,
    ).content.decode()
    assert "This prompt can&#x27;t be used" in english


def test_notifications_are_written_in_the_recipients_language(alice: User, bob: User) -> None:
    compiled()
    alice.language = "ja"
    alice.save(update_fields=["language"])
    follow_create(follower=bob, followee=alice)  # bob's side is English; alice reads Japanese
    follow_create(follower=alice, followee=bob)
    assert Notification.objects.get(recipient=alice).text == "@bob さんがあなたをフォローしました。"
    assert Notification.objects.get(recipient=bob).text == "@alice started following you."


def test_a_moderation_action_is_told_in_the_owners_language(alice: User, bob: User, mod: User) -> None:
    compiled()
    alice.language = "ja"
    alice.save(update_fields=["language"])
    post = post_make(alice, "a kite over the dunes")
    case = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="hate").case
    case_act(case_id=case.pk, by=mod, action="suspend", reason="spam wave", days=3)  # the moderator's side is English
    told = Notification.objects.get(recipient=alice, kind="moderation_action").text
    assert told.startswith("モデレーターがあなたの投稿に措置を取りました：") and "まで投稿停止。" in told
    assert "理由：spam wave。30日以内なら異議を申し立てられます。" in told


def test_a_report_refusal_and_its_categories_follow_the_language(alice: User, bob: User) -> None:
    """Strings added after the first pass (reports on profiles): the form's categories and a refusal
    are Japanese for a Japanese interface; the case summary the moderators read stays English."""
    compiled()
    client = Client()
    client.login(username="bob", password=PASSWORD)
    page = client.get("/@alice/", **JA).content.decode()
    assert "自分になりすましている（名前や顔）" in page and "スパム・詐欺" in page
    refused = client.post("/@alice/report/", {"category": "nonsense"}, **JA)
    assert refused.status_code == 400
    assert "何が問題かを選んでください。" in refused.content.decode()
    assert not ModerationCase.objects.exists()
    client.post("/@alice/report/", {"category": "spam"}, **JA)
    assert ModerationCase.objects.get().summary == f"Reported profile {alice.pk}: Spam or scam"


def test_the_voice_card_and_the_feeds_reasons_are_in_japanese(alice: User, bob: User) -> None:
    compiled()
    cameo = active_cameo(alice)
    owner = Client()
    owner.login(username="alice", password=PASSWORD)
    card = owner.get(f"/cameos/@{cameo.handle}/", **JA).content.decode()
    assert "あなたの声" in card and "オフ：あなたのセリフは、あなたの声の高さの合成音声で話されます。" in card
    assert "Your voice" not in card
    follow_create(follower=bob, followee=alice)
    post_make(alice, "a kite over the dunes")
    viewer = Client()
    viewer.login(username="bob", password=PASSWORD)
    feed = viewer.get("/", **JA).content.decode()
    assert "フォロー中の人の動画です。" in feed and "From someone you follow." not in feed
    assert "From someone you follow." in viewer.get("/", **EN).content.decode()
