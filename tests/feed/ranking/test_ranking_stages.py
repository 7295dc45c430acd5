"""Each pure ranking stage on its own, on hand-made candidates (no database)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.utils import translation

from feed.ranking.cursor import Cursor, cursor_decode
from feed.ranking.stages import diversify, hard_filter, reasons, score, taste_vector
from feed.ranking.steering import chips_from_json, steering_parse, steering_terms
from feed.ranking.types import Candidate, Chip, Viewer

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def cand(pk: int, author: int = 1, *, hours: float = 1, text: str = "", **fields: object) -> Candidate:
    return Candidate(post_id=pk, author_id=author, created_at=NOW - dt.timedelta(hours=hours), text=text, **fields)


def viewer(**fields: object) -> Viewer:
    return Viewer(user_id=1, now=NOW, **fields)


def test_hard_filter_drops_each_kind_of_unwanted_post() -> None:
    candidates = [
        cand(1),
        cand(2, visibility="unlisted"),
        cand(3, taken_down=True),
        cand(4, author_shown=False),
        cand(5, author=9),  # blocked either way
        cand(6),  # seen
        cand(7),  # not interested
        cand(8, text="a horror night"),  # steering "no horror"
        cand(9, teen_suitable=False),  # labelled by the publish stage
    ]
    no_horror = steering_terms([Chip("no", "horror")], [None])
    kept = hard_filter(
        candidates,
        viewer(
            hidden_authors=frozenset({9}),
            seen=frozenset({6}),
            not_interested_posts=frozenset({7}),
            steering=no_horror,
            is_teen=True,
        ),
    )
    assert [c.post_id for c in kept] == [1]
    adult = hard_filter([cand(9, teen_suitable=False)], viewer())
    assert [c.post_id for c in adult] == [9]


def test_steering_exclusion_by_embedding_without_keywords() -> None:
    horror = unit(1, 0, 0)
    close = cand(1, text="a haunted house at midnight", vector=unit(1, 0.3, 0))
    far = cand(2, text="pasta", vector=unit(0, 1, 0))
    kept = hard_filter([close, far], viewer(steering=steering_terms([Chip("no", "horror")], [horror])))
    assert [c.post_id for c in kept] == [2]


def test_score_smooths_rates_so_one_lucky_view_does_not_win() -> None:
    lucky = cand(1, likes=1, impressions=1)
    proven = cand(2, likes=400, impressions=1000)
    assert [s.candidate.post_id for s in score([lucky, proven], viewer())] == [2, 1]


def test_score_freshness_follow_taste_and_damping() -> None:
    old, new = cand(1, hours=200), cand(2, hours=1)
    assert score([old, new], viewer())[0].candidate.post_id == 2
    followed, stranger = cand(3, author=5), cand(4, author=6)
    assert score([stranger, followed], viewer(following=frozenset({5})))[0].candidate.post_id == 3
    taste = unit(1, 0, 0)
    near, far = cand(5, vector=unit(1, 0.1, 0)), cand(6, vector=unit(0, 0, 1))
    assert score([far, near], viewer(taste=taste))[0].candidate.post_id == 5
    disliked, other = cand(7, author=8), cand(8, author=9)
    assert score([disliked, other], viewer(damped_authors={8: 1}))[0].candidate.post_id == 8


def test_score_remixes_weigh_more_than_likes() -> None:
    liked = cand(1, likes=30, impressions=100)
    remixed = cand(2, remixes=30, impressions=100)
    assert score([liked, remixed], viewer())[0].candidate.post_id == 2


def test_steering_more_and_less_move_posts() -> None:
    cooking = cand(1, text="pasta cooking at home")
    sports = cand(2, text="sports highlights")
    plain = cand(3, text="a quiet lake")
    terms = steering_terms([Chip("more", "cooking"), Chip("less", "sports")], [None, None])
    ranked = [s.candidate.post_id for s in score([sports, plain, cooking], viewer(steering=terms))]
    assert ranked == [1, 3, 2]


def test_diversify_spreads_authors() -> None:
    scored = score([cand(1, 1, likes=90, impressions=100), cand(2, 1, likes=80, impressions=100), cand(3, 2)], viewer())
    assert [s.candidate.author_id for s in scored] == [1, 1, 2]
    assert [s.candidate.author_id for s in diversify(scored, limit=3)] == [1, 2, 1]
    assert len(diversify(scored, limit=2)) == 2


def test_reasons_say_why() -> None:
    item = score([cand(1, author=5, sources={"following"})], viewer(following=frozenset({5})))[0]
    assert "From someone you follow." in reasons(item)


def test_reasons_are_the_largest_parts_of_the_score_and_never_disagree() -> None:
    """Found by every pool but with no reactions yet: not "popular" nor "taking off" (its engagement is
    only the prior every post gets), and new; "widen what you see" is the exploring part it scored."""
    untried = cand(1, sources={"trending", "popular", "fresh"})
    assert reasons(score([untried], viewer())[0]) == ["It is new.", "Something new, to widen what you see."]
    # Liked by many who saw it: popularity wins over exploring, which would contradict it.
    loved = cand(2, hours=200, likes=60, remixes=10, impressions=100, sources={"popular", "fresh"})
    said = reasons(score([loved], viewer())[0])
    assert said == ["It is popular here."]
    # A followed creator whose video matches the person's taste: the larger part first, each said once.
    liked = cand(3, author=5, hours=100, vector=unit(1, 0), sources={"following", "similar"})
    item = score([liked], viewer(following=frozenset({5}), taste=unit(1, 0)))[0]
    assert item.parts["taste"] > item.parts["follow"]
    assert reasons(item) == ["It is like videos you watched to the end, liked or remixed.", "From someone you follow."]
    # Nothing stands out (old, unknown, from a stranger): said plainly rather than made up.
    assert reasons(score([cand(4, hours=2000)], viewer())[0]) == [
        "Nothing in particular: it is one of the videos you have not seen yet."
    ]
    with translation.override("ja"):
        japanese = ["最後まで見た・いいねした・リミックスした動画に似ています。", "フォロー中の人の動画です。"]
        assert reasons(item) == japanese


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("more cooking and anime, less sports, no horror", ["more cooking", "more anime", "less sports", "no horror"]),
        ("I want more cats please", ["more cats"]),
        ("fewer pranks; never gore", ["less pranks", "no gore"]),
        ("more dogs, less dogs", ["less dogs"]),  # said again: the later kind wins
        ("", []),
    ],
)
def test_steering_parse(text: str, expected: list[str]) -> None:
    assert [chip.label for chip in steering_parse(text)] == expected


def test_chips_from_json_drops_malformed() -> None:
    raw = [{"kind": "more", "topic": "cats"}, {"kind": "boost", "topic": "x"}, "junk", {"kind": "no"}]
    assert chips_from_json(raw) == [Chip("more", "cats")]
    assert chips_from_json("nope") == []


def test_taste_is_a_decayed_average() -> None:
    recent, old = unit(1, 0), unit(0, 1)
    taste = taste_vector([(recent, 1.0, 0.0), (old, 1.0, 60.0)], half_life_days=14)
    assert taste is not None and taste[0] > 0.9 > taste[1] > 0
    assert taste_vector([]) is None


def test_cursor_round_trip_and_forgery() -> None:
    cursor = Cursor(tab="foryou", served=[3, 1, 2], shown=3)
    again = cursor_decode(cursor.encode(), tab="foryou")
    assert (again.served, again.shown) == ([3, 1, 2], 3)
    assert cursor_decode(cursor.encode() + "x", tab="foryou").served == []
    assert cursor_decode(cursor.encode(), tab="following").served == []
