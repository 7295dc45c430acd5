"""@mention autocomplete finds cameos by a Japanese display name (either kana script, full or half
width, any part of the name), and still only the cameos the asker may use."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cameos.models import Cameo
from feed.models import User
from tests.builders.cameos import active_cameo
from tests.conftest import PASSWORD


def _handles(user: User, query: str) -> list[str]:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("cameo_mentions"), {"q": query})
    assert response.status_code == 200
    return [result["handle"] for result in response.json()["results"]]


@pytest.fixture
def japanese_cameos(alice: User, bob: User) -> None:
    alice.display_name = "山田ハナコ"
    alice.save(update_fields=["display_name"])
    active_cameo(alice, access=Cameo.Access.EVERYONE)
    active_cameo(bob, access=Cameo.Access.EVERYONE, name="ポチ（柴犬）")


@pytest.mark.usefixtures("japanese_cameos")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("山田", ["alice"]),
        ("ハナコ", ["alice"]),
        ("はなこ", ["alice"]),  # hiragana for the katakana in the name
        ("ﾊﾅｺ", ["alice"]),  # half-width katakana
        ("＠山田", ["alice"]),  # a full-width @ from a Japanese keyboard
        ("山田 はなこ", ["alice"]),  # the whole name, typed with a space and in the other kana
        ("山田ﾊﾅｺ", ["alice"]),
        ("柴犬", ["bob"]),  # the cameo's own name, not only the owner's
        ("ぽち", ["bob"]),
        ("佐藤", []),
    ],
)
def test_mentions_find_cameos_by_japanese_names(charlie: User, query: str, expected: list[str]) -> None:
    assert _handles(charlie, query) == expected


def test_japanese_names_do_not_widen_who_may_be_mentioned(alice: User, charlie: User) -> None:
    alice.display_name = "山田ハナコ"
    alice.save(update_fields=["display_name"])
    active_cameo(alice)  # approved people only: charlie is a stranger
    assert _handles(charlie, "山田") == []
    assert _handles(alice, "山田") == ["alice"]
