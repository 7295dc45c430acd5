"""Steering in Japanese: the same chips as the English twin, and through the feed endpoint the same
next page (Japanese posts matched by their Japanese topic words; real MiniLM embeddings, PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from feed.models import Post, User
from feed.ranking.stages import hard_filter, score
from feed.ranking.steering import chips_from_json, chips_to_json, steering_parse, steering_terms
from feed.ranking.types import Candidate, Chip, Viewer
from tests.builders.posts import post_make
from tests.conftest import PASSWORD, make_user

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("japanese", "english"),
    [
        ("アニメをもっと、スポーツは少なめ、ホラーはなし", "more anime, less sports, no horror"),
        ("もっと猫が見たい", "I want more cats please"),
        ("料理とアニメを増やして", "more cooking and anime"),
        ("ホラー、グロはなし", "no horror, gore"),
        ("スポーツ番組は減らして", "fewer sports"),
        ("ホラー映画は見たくない", "never horror movies"),
        ("アニメは好きだけどホラーは嫌", "more anime but no horror"),
        ("ｱﾆﾒをもっと、ＳＰＯＲＴＳは少なめ", "more anime, less sports"),  # half-width kana, full-width letters
        ("犬をもっと、犬は少なめ", "more dogs, less dogs"),  # said again: the later kind wins
    ],
)
def test_japanese_steering_gives_the_chips_of_its_english_twin(japanese: str, english: str) -> None:
    chips = steering_parse(japanese)
    assert chips and chips == steering_parse(english)


def test_a_japanese_topic_without_an_english_twin_is_kept_as_a_keyword() -> None:
    chips = steering_parse("盆栽をもっと、ホラーは少なめ")
    assert chips == [Chip("more", "盆栽"), Chip("less", "horror")]
    bonsai, horror = steering_terms(chips, [None, None])
    assert bonsai.vector is None and bonsai.keywords == frozenset({"盆栽"})  # the English model can't place it
    assert horror.keywords == frozenset({"horror"})


def test_a_chip_shows_its_topic_as_the_person_wrote_it_in_a_whole_japanese_phrase() -> None:
    """Ranking reads the English twin; the person reads 「アニメを増やす」, not 「animeを増やす」."""
    anime, horror = steering_parse("アニメをもっと、ホラーはなし")
    assert (anime.topic, horror.topic) == ("anime", "horror")
    with translation.override("ja"):
        assert (anime.label, horror.label) == ("アニメを増やす", "ホラーはなし")
    stored = chips_from_json(chips_to_json([anime, horror]))
    with translation.override("ja"):
        assert [chip.label for chip in stored] == ["アニメを増やす", "ホラーはなし"]
    with translation.override("en"):
        assert steering_parse("more anime")[0].label == "more anime"


def candidate(pk: int, text: str) -> Candidate:
    return Candidate(post_id=pk, author_id=pk, created_at=NOW - dt.timedelta(hours=1), text=text)


def test_chips_from_either_language_match_japanese_posts_by_keyword() -> None:
    posts = [candidate(1, "深夜のホラー映画"), candidate(2, "サッカーの逆転ゴール"), candidate(3, "盆栽の手入れ")]
    for text in ("盆栽をもっと、スポーツは少なめ、ホラーはなし", "more 盆栽, less sports, no horror"):
        chips = steering_parse(text)
        viewer = Viewer(user_id=1, now=NOW, steering=steering_terms(chips, [None] * len(chips)))
        kept = hard_filter(posts, viewer)
        assert [c.post_id for c in kept] == [2, 3]
        ranked = score(kept, viewer)
        assert [s.candidate.post_id for s in ranked] == [3, 2]
        sports = next(chip for chip in chips if chip.topic == "sports")  # labelled as written (スポーツ, sports)
        assert ranked[1].parts[f"steer:{sports.label}"] < 0  # サッカー is sports


LIBRARY = {
    "anime": ["魔法少女アニメのオープニング", "ロボットアニメの戦闘シーン", "アニメの女の子が空を飛ぶ"],
    "sports": ["サッカーの試合で逆転ゴール", "雨の中のテニスの試合", "野球の九回裏サヨナラホームラン"],
    "horror": ["廃墟の病院を探検するホラー", "深夜のホラー映画", "ホラーゲームの悲鳴"],
    "other": ["京都の紅葉を散歩する", "夕暮れの海辺でたき火"],
}


@pytest.fixture
def library(alice: User, bob: User, charlie: User) -> dict[int, str]:
    authors = [alice, bob, charlie]
    topic_of: dict[int, str] = {}
    for topic, captions in LIBRARY.items():
        for i, caption in enumerate(captions):
            post: Post = post_make(authors[i % 3], caption, hours_ago=i + 1)
            topic_of[post.pk] = topic
    return topic_of


def post_ids(html: bytes) -> list[int]:
    return [int(part.split(b'"')[0]) for part in html.split(b'data-post-id="')[1:]]


def next_url(html: bytes) -> str | None:
    if b'data-next-url="' not in html:
        return None
    return html.split(b'data-next-url="')[1].split(b'"')[0].decode().replace("&amp;", "&")


def feed_after_steering(username: str, text: str) -> tuple[list[int], list[int]]:
    """The first page, then (steering said in between) every post that comes after it, in order."""
    make_user(username)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    home = client.get("/").content
    first = post_ids(home)
    assert client.post("/feed/steering/", {"text": text}).status_code == 302
    after: list[int] = []
    url = next_url(home)
    while url is not None:
        page = client.get(url).content
        after += post_ids(page)
        url = next_url(page)
    return first, after


def test_japanese_steering_changes_what_comes_next_as_its_english_twin_does(
    library: dict[int, str], settings: object
) -> None:
    settings.FEED_PAGE_SIZE = 3  # type: ignore[attr-defined]
    first, after = feed_after_steering("yomi", "アニメをもっと、スポーツは少なめ、ホラーはなし")
    topics = [library[pk] for pk in after]
    left_anime = sum(1 for pk in library if library[pk] == "anime" and pk not in first)
    assert topics[:left_anime] == ["anime"] * left_anime
    assert "horror" not in topics
    left_sports = sum(1 for pk in library if library[pk] == "sports" and pk not in first)
    assert left_sports and topics[-left_sports:] == ["sports"] * left_sports
    assert set(first) | set(after) == {pk for pk in library if library[pk] != "horror" or pk in first}
    assert feed_after_steering("eigo", "more anime, less sports, no horror") == (first, after)
