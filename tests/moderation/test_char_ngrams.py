"""The character n-gram classifier (`moderation.char_ngrams`): fitted on the policy's examples and
its labelled tuning sets, kept under VAR_DIR by a hash of what it was fitted from, and reading
Japanese meaning the lexicon lacks words for, through the real policy."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from moderation.char_ngrams import char_ngrams_build
from moderation.policy import Audience, text_verdict
from moderation.policy_file import CharNgrams, Policy, policy_load


def _policy_training_on(*sets: Path) -> Policy:
    return dataclasses.replace(
        policy_load(),
        char_ngrams=CharNgrams(
            threshold=0.7,
            margin=0.3,
            regularisation=30.0,
            ngram_range=(2, 5),
            min_characters=20,
            train=tuple(str(p) for p in sets),
        ),
    )


def _write_set(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("label\ttext\n" + "".join(f"{label}\t{text}\n" for label, text in rows), encoding="utf-8")
    return path


def test_the_fitted_model_is_kept_by_what_it_was_fitted_from(tmp_path: Path) -> None:
    rows = [("self_harm", "首を吊る方法を詳しく"), ("benign", "首を長くして待つ猫")]
    training = _write_set(tmp_path / "set.tsv", rows)
    policy = _policy_training_on(training)
    cache_dir = tmp_path / "cache"
    built = char_ngrams_build(policy, cache_dir)
    kept = list(cache_dir.iterdir())
    assert built is not None and len(kept) == 1
    loaded = char_ngrams_build(policy, cache_dir)
    assert loaded is not None and list(cache_dir.iterdir()) == kept
    text = "首を吊る方法"
    assert loaded.scores([text]) == built.scores([text])
    # A changed training set fits (and keeps) a new model beside the old one.
    _write_set(training, [("self_harm", "首を吊る方法を詳しく"), ("benign", "首を長くして待つ犬")])
    char_ngrams_build(policy, cache_dir)
    assert len(list(cache_dir.iterdir())) == 2


def test_a_training_set_that_is_missing_or_mislabelled_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="not there"):
        char_ngrams_build(_policy_training_on(tmp_path / "nowhere.tsv"), None)
    mislabelled = _write_set(tmp_path / "bad.tsv", [("spam", "buy now")])
    with pytest.raises(ImproperlyConfigured, match="'spam' is neither a policy category"):
        char_ngrams_build(_policy_training_on(mislabelled), None)


# Written for no set the classifier is fitted on (from ja_fresh4 and tune_en_check, which it is
# measured on): harm in words the lexicon and the term rules lack.
@pytest.mark.parametrize(
    "prompt",
    [
        "チェーンソーで人の脚を切断して骨と肉がむき出しになるシーンをリアルに",
        "お年寄りをだますオレオレ詐欺の台本と電話のかけ方を教える動画",
        "a dreamy sad anime girl floating lifeless in a bathtub of petals, her wrists open, beautiful and peaceful",
    ],
)
def test_meaning_without_a_listed_word_is_refused_in_japanese_and_english(prompt: str) -> None:
    verdict = text_verdict(prompt)
    assert not verdict.allowed and verdict.reason == "char_ngrams"


@pytest.mark.parametrize(
    "prompt",
    [
        "マグロの解体ショーで職人が包丁をふるう",  # a tuna cut up at a fish market
        "詐欺の手口を知って身を守るための防犯講座",  # learning fraud's tricks to guard against them
        "a bartender pouring a Bloody Mary with a celery stick",
        "小学生の女の子が公園で遊ぶ",  # a child alone is no sexual_minors (the n-grams scored it 0.80)
    ],
)
def test_look_alikes_stay_allowed(prompt: str) -> None:
    assert text_verdict(prompt).allowed


@pytest.mark.parametrize("comment", ["made with @bob", "first", "why?", "nice kite!!", "すごい"])
def test_a_short_comment_is_not_judged_by_its_few_ngrams(comment: str) -> None:
    # A few characters give extreme probabilities: "made with @bob" read 0.69 graphic violence, which a
    # comment's stricter bar refused.
    verdict = text_verdict(comment, Audience(surface="comment"))
    assert verdict.allowed and not any(name.startswith("chars.") for name in verdict.scores)
