"""The consent statement: what a cameo keeps, why, for how long, who sees it, how to delete it and what
happens to videos made with it, in English and Japanese, open to anyone, linked before recording and
from the deletion card."""

from __future__ import annotations

import pytest
from django.test import Client

from cameos.services.recording import PORTRAITS_KEPT
from feed.models import User
from tests.builders.cameos import active_cameo

JA = {"HTTP_ACCEPT_LANGUAGE": "ja-JP,ja;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
SECTIONS_EN = (
    "What we keep",
    "Why",
    "For how long",
    "Who can see this data",
    "How to delete it",
    "Videos made with your cameo",
)
SECTIONS_JA = ("保存するデータ", "利用目的", "保存期間", "データを見られる人", "削除方法", "カメオを使った動画")


@pytest.mark.django_db
def test_the_statement_is_open_to_anyone_in_both_languages() -> None:
    english = Client().get("/cameos/consent/", **EN)
    assert english.status_code == 200
    page = english.content.decode()
    for heading in SECTIONS_EN:
        assert f">{heading}</h2>" in page
    assert f"up to {PORTRAITS_KEPT} face images" in page
    assert "whoever made it" in page
    japanese = Client().get("/cameos/consent/", **JA).content.decode()
    for heading in SECTIONS_JA:
        assert f">{heading}</h2>" in japanese
    assert f"顔画像（最大{PORTRAITS_KEPT}枚）" in japanese
    assert "顔特徴データ" in japanese and "声紋" in japanese and "音声サンプル" in japanese
    assert "同意したことになります" in japanese


def test_the_record_page_and_the_deletion_card_link_it(alice: User, bob: User) -> None:
    client = Client()
    client.force_login(alice)
    record = client.get("/cameos/record/", **JA).content.decode()
    link = record.index('href="/cameos/consent/"')
    assert link < record.index('data-action="start-camera"')  # read before the camera starts
    assert "録画の前に：顔と声のデータについて" in record
    cameo = active_cameo(bob)
    client.force_login(bob)
    detail = client.get(f"/cameos/@{cameo.handle}/", **EN).content.decode()
    danger = detail[detail.index('id="delete-title"') :]
    assert 'href="/cameos/consent/#consent-videos"' in danger
    assert "including other people" in danger
