"""Words drawn into a video's pixels: the preview's badges in the creator's language, and the visible
watermark in a font that has kana and kanji (glyphs, not the empty boxes of a font without them)."""

from __future__ import annotations

import contextlib
import dataclasses

import numpy as np
import pytest

from feed.models import User
from generation import services, worker
from generation.backends.base import FrameLabels, GenerationRequest
from generation.backends.preview import PreviewBackend
from generation.backends.preview_layers import badge
from generation.provenance import visible

# A code point no font has a glyph for: every font draws its "missing glyph" box (tofu) for it.
TOFU = "\U0010fffd"


def _pixels(label: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    rgb, alpha = label
    return np.concatenate([rgb, alpha], axis=2)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))


def test_a_japanese_site_name_in_the_watermark_is_drawn_as_glyphs_not_boxes() -> None:
    size = 40
    japanese = _pixels(visible.label_image(visible.label_text("動画リール", "alice"), size))
    boxes = _pixels(visible.label_image(visible.label_text(TOFU * 5, "alice"), size))
    other = _pixels(visible.label_image(visible.label_text("映像カメラ", "alice"), size))
    # A font without kana/kanji draws all three alike: five boxes, then " · @alice".
    assert not _same(japanese, boxes)
    assert not _same(japanese, other)
    # Each character on its own differs from the box, too.
    for character in "動画リール":
        assert not _same(_pixels(visible.label_image(character, size)), _pixels(visible.label_image(TOFU, size)))


def test_an_english_watermark_keeps_its_latin_font() -> None:
    rgb, _ = visible.label_image(visible.label_text("OpenReel", "alice"), 40)
    assert rgb.shape[1] > rgb.shape[0] * 4  # one line, wider than tall: drawn, not a fallback bitmap


@pytest.mark.django_db
def test_the_preview_badges_are_in_the_creators_language(alice: User, bob: User) -> None:
    alice.language = "ja"
    alice.save(update_fields=["language"])
    ja_job, _ = services.job_create(owner=alice, prompt="a kite over the dunes")
    en_job, _ = services.job_create(owner=bob, prompt="a kite over the dunes")
    assert worker.frame_labels(ja_job) == FrameLabels("プレビュー", "リミックス", "ショット {index}/{count}")
    assert worker.frame_labels(en_job) == FrameLabels()
    # Blank setting (the browser decides): a Japanese prompt gets Japanese badges.
    bob_ja, _ = services.job_create(owner=bob, prompt="砂丘の上の凧")
    assert worker.frame_labels(bob_ja).preview == "プレビュー"

    with contextlib.ExitStack() as files:
        request = worker.job_request_build(ja_job, files)
    assert request.labels.preview == "プレビュー"
    japanese_frame = _first_frame(request)
    english_frame = _first_frame(dataclasses.replace(request, labels=FrameLabels()))
    boxes_frame = _first_frame(dataclasses.replace(request, labels=FrameLabels(preview=TOFU * 5)))
    corner = _badge_corner(request)
    assert not np.array_equal(japanese_frame[corner], english_frame[corner])
    assert not np.array_equal(japanese_frame[corner], boxes_frame[corner])
    # The badge itself has a glyph for every character.
    for character in "プレビュー":
        assert not _same(np.asarray(badge(character, 30, (0, 0, 0, 255))), np.asarray(badge(TOFU, 30, (0, 0, 0, 255))))


def _first_frame(request: GenerationRequest) -> np.ndarray:
    result = PreviewBackend().generate(
        dataclasses.replace(request, shots=request.shots[:1]), on_progress=lambda _: None, should_cancel=lambda: False
    )
    return np.asarray(result.frames[0])


def _badge_corner(request: GenerationRequest) -> tuple[slice, slice]:
    unit = min(request.width, request.height) / 720
    margin, size = int(24 * unit), badge("プレビュー", int(30 * unit), (0, 0, 0, 255)).size
    return slice(margin, margin + size[1]), slice(margin, margin + size[0])
