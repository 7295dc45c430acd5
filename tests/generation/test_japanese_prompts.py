"""Japanese prompts through the preview renderer and the soundtrack: caption glyphs, 「」 dialogue
spoken in espeak-ng's Japanese voice, palette and ambience from Japanese words."""

from __future__ import annotations

import pytest
from PIL import Image, ImageFont

from cameos.verification.voice import speech_segments
from generation.audio import mood, quoted_lines, render_soundtrack, speak
from generation.backends.base import GenerationRequest, Shot, VoiceProfile
from generation.backends.preview import PreviewBackend
from generation.backends.preview_layers import caption_font_path
from generation.backends.preview_styles import pick_style
from tests.conftest import ARTIFACTS

RATE = 48_000
ISSUE_PROMPT = "夕暮れの海辺で犬が走る、少女が「こんにちは」と言う"
PROMPTS = (
    ISSUE_PROMPT,
    "『また明日ね』と彼は笑った。ネオンの街、サイバーパンク風、雨の東京",
    "ｶﾀｶﾅの看板、全角ＡＢＣ１２３、記号！？・…「」『』（）ー〜",
    "宇宙飛行士が月面で「ここは静かだ」とつぶやく 🚀 with English words",
)
_MISSING = chr(0x10FFFD)  # a private-use code point no font has: it draws the font's .notdef box


def _uncovered(font_path: str, text: str) -> list[str]:
    """Characters of `text` the font draws as its .notdef box (or not at all)."""
    font = ImageFont.truetype(font_path, 40)
    notdef = bytes(font.getmask(_MISSING))
    return [
        ch
        for ch in dict.fromkeys(text)
        if not ch.isspace() and (bytes(font.getmask(ch)) == notdef or font.getmask(ch).getbbox() is None)
    ]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_caption_font_covers_every_character_of_japanese_prompts(prompt) -> None:
    path = caption_font_path(prompt)
    assert path is not None and "CJK" in path, "fonts-noto-cjk is installed by make system-packages"
    emoji_free = "".join(ch for ch in prompt if ord(ch) < 0x1F000)  # emoji are a colour font's job
    assert _uncovered(path, emoji_free) == []


def test_the_latin_font_would_show_boxes_so_the_coverage_check_can_fail() -> None:
    latin = caption_font_path("a lake at sunset")
    assert latin is not None and "CJK" not in latin
    assert set(_uncovered(latin, ISSUE_PROMPT)) >= set("夕暮海辺犬少女言")


def test_japanese_and_mixed_quotes_are_dialogue() -> None:
    assert quoted_lines(ISSUE_PROMPT) == ["こんにちは"]
    prompt = '『また明日』と言い、“See you” and "bye" then 「さようなら」'
    assert quoted_lines(prompt) == ["また明日", "See you", "bye", "さようなら"]


def test_kanji_are_spoken_as_their_reading_in_the_japanese_voice() -> None:
    # Without the reading, espeak-ng says "Chinese letter" for every kanji: about 6 s for this line.
    said = speak("今日は良い天気です", VoiceProfile(pitch_hz=110.0), sample_rate=16_000)
    assert 0.8 < said.size / 16_000 < 3.0


def test_japanese_dialogue_reaches_the_soundtrack_as_speech() -> None:
    unquoted = ISSUE_PROMPT.replace("「", "").replace("」", "")
    spoken = render_soundtrack(
        prompt_shots=[Shot(ISSUE_PROMPT, 3.0)], seed=4, voices=[VoiceProfile(pitch_hz=200.0)]
    ).audio
    silent = render_soundtrack(prompt_shots=[Shot(unquoted, 3.0)], seed=4, voices=[VoiceProfile(pitch_hz=200.0)]).audio
    speech = sum(end - start for start, end in speech_segments(spoken.mean(axis=1), RATE)) / RATE
    none = sum(end - start for start, end in speech_segments(silent.mean(axis=1), RATE)) / RATE
    assert speech > 0.5
    assert none < 0.2


@pytest.mark.parametrize(
    ("japanese", "english"),
    [
        ("夕暮れの海辺で犬が走る", "a dog runs on the beach at sunset"),
        ("サイバーパンクの街", "a cyberpunk city"),
        ("凍った湖の上", "on a frozen lake"),
        ("アニメ風の少女", "an anime girl"),
        ("森の中の小道", "a path in the forest"),
    ],
)
def test_palette_follows_japanese_words_like_their_english_twins(japanese, english) -> None:
    assert pick_style(japanese) == pick_style(english) is not None


def test_ambience_follows_japanese_words() -> None:
    assert [mood(p) for p in ("雨の東京", "波の音", "宇宙飛行士", "鳥が鳴く森", "お茶を一杯")] == [
        "rain",
        "ocean",
        "space",
        "forest",
        "calm",
    ]


def test_preview_frame_shows_the_japanese_caption() -> None:
    request = GenerationRequest(
        prompt=ISSUE_PROMPT, model="sora-2", width=720, height=1280, seed=3, shots=(Shot(ISSUE_PROMPT, 1.0),)
    )
    result = PreviewBackend().generate(request, on_progress=lambda _: None, should_cancel=lambda: False)
    assert result.metadata["shots"][0]["style"] == "sunset"
    frame = result.frames[len(result.frames) // 2]
    ARTIFACTS.mkdir(exist_ok=True)
    Image.fromarray(frame).save(ARTIFACTS / "preview_japanese_caption.png")
    # The caption box (below the PREVIEW badge) holds white glyph strokes on its dark panel.
    band = frame[int(1280 * 0.12) : int(1280 * 0.12) + 200, 40:680]
    white = (band.min(axis=2) > 235).mean()
    assert white > 0.03
