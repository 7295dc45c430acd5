"""Stage 1 of moderation: the text checks every door calls before it accepts a prompt, a storyboard, a
remix, a caption or a comment (the policy itself: moderation/policy.py and policy.toml)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import translation

from feed.accounts.models import User
from moderation.languages import UNSUPPORTED_LANGUAGE, unsupported_message
from moderation.metrics import stage_measured
from moderation.models import ModerationEvent
from moderation.policy import Audience, texts_verdict
from moderation.policy_file import policy_load
from sora_site import japanese
from sora_site.errors import DomainError

PROMPT_SURFACES = ("prompt", "storyboard", "remix", "stitch")
_NOUNS = {
    "prompt": "prompt",
    "storyboard": "shot",
    "remix": "remix prompt",
    "stitch": "draft's prompt",
    "caption": "caption",
    "comment": "comment",
}
_NOUNS_JA = {
    "prompt": "プロンプト",
    "storyboard": "ショット",
    "remix": "リミックスのプロンプト",
    "stitch": "下書きのプロンプト",
    "caption": "キャプション",
    "comment": "コメント",
}


def text_check(
    *, text: str, surface: str, user: User | None, uses_cameo: bool = False, field: str | None = None
) -> None:
    """Stage 1 on one text (a comment, a profile): `texts_check` with that text alone."""
    texts_check(texts=[(field or surface, text)], surface=surface, user=user, uses_cameo=uses_cameo)


def texts_check(
    *,
    texts: Sequence[tuple[str, str]],
    surface: str,
    user: User | None,
    uses_cameo: bool = False,
    context: Sequence[str] = (),
) -> None:
    """Stage 1 (`_texts_judge`), timed and counted as stage "prompt" (prompts, storyboards, remixes)
    or "text" (captions, comments)."""
    with stage_measured("prompt" if surface in PROMPT_SURFACES else "text"):
        _texts_judge(texts=texts, surface=surface, user=user, uses_cameo=uses_cameo, context=context)


def _texts_judge(
    *,
    texts: Sequence[tuple[str, str]],
    surface: str,
    user: User | None,
    uses_cameo: bool = False,
    context: Sequence[str] = (),
) -> None:
    """Stage 1: refuse a request whose texts the policy (moderation/policy.toml) refuses, for this
    person and surface. `texts` are (field, text) pairs: a prompt, or a storyboard's shots (an
    extension's are the source's shots and the new one); `context` the texts they go with (a remix's
    parent prompt, the prompt of a video being captioned), which a refusal never names. Each text is
    judged alone and then all of them together (`texts_verdict`), so a harmful meaning split across
    shots or turned at the end is found; the refusal names the field of the one text at fault, or
    the first field when no one text is.

    `surface` is one of prompt, storyboard, remix, stitch (drafts joined; code `prompt_blocked`), caption or comment
    (`text_blocked`). Stricter for teens and when the video uses a real person's cameo. The person is
    told the category and how to rephrase (or, for a language the policy cannot read, which languages
    it can); the scores go to the moderation log only.
    """
    audience = Audience(surface=surface, is_teen=bool(user and user.is_teen), uses_cameo=uses_cameo)
    # The context first, as it came first: a new prompt that turns its parent's scene ("they take
    # everything off") is read after it.
    at_fault, verdict = texts_verdict(list(context) + [text for _, text in texts], audience)
    if verdict.category is None:
        return
    at_fault = at_fault - len(context) if at_fault is not None and at_fault >= len(context) else None
    fields = [field for field, _ in texts]
    field = fields[at_fault] if at_fault is not None else fields[0]
    text = texts[at_fault][1] if at_fault is not None else "\n".join(list(context) + [t for _, t in texts])
    whole = at_fault is None and len(texts) + len(context) > 1  # no text alone: the texts together
    ModerationEvent.objects.create(
        about_user=user,
        action="text_refused",
        detail={
            "stage": "prompt",
            "surface": surface,
            "field": field,
            "whole": whole,
            "category": verdict.category,
            "reason": verdict.reason,
            "scores": verdict.scores,
            "text": text[:1000],
        },
    )
    code = "prompt_blocked" if surface in PROMPT_SURFACES else "text_blocked"
    if verdict.category == UNSUPPORTED_LANGUAGE:
        noun = (_NOUNS_JA if translation.get_language() == "ja" else _NOUNS).get(surface, _NOUNS["prompt"])
        raise DomainError(code, unsupported_message(language=verdict.language, noun=noun), field=field)
    category = policy_load().categories[verdict.category]
    if (japanese.has_japanese(text) or translation.get_language() == "ja") and category.label_ja:
        # In Japanese for a Japanese interface, and for a Japanese text whatever the interface language.
        noun = "リクエスト" if whole else _NOUNS_JA.get(surface, "テキスト")
        message = f"この{noun}は使用できません：{category.label_ja}に該当するようです。{category.rephrase_ja}"
    else:
        noun = "request (its texts together)" if whole else _NOUNS.get(surface, "text")
        message = f"This {noun} can't be used: it looks like {category.label}. {category.rephrase}"
    raise DomainError(code, message, field=field)
