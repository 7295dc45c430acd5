"""Cameos in generation jobs: the checked cameos of a new job (with the public-figure check of its
texts and each owner's restrictions), the ledger rows it writes, and the worker's recheck.

Permission decisions are made by `cameos.selectors.cameo_use_check` only; these services call it at
enqueue (`cameos_for_new_job`) and again on the worker (`cameos_recheck`). Jobs belong to `generation`,
which sits above this app: cameos announce withdrawals through `cameos.signals` and never import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from cameos import restrictions
from cameos.mentions import cameos_mentioned
from cameos.models import Cameo, CameoUsage, PublicFigure
from cameos.selectors import (
    MAX_CAMEOS_PER_VIDEO,
    cameo_use_check,
    cameo_use_refusal,
    cameos_of_job,
    public_figure_mentioned,
)
from cameos.services.access import owner_notify
from feed.accounts.models import User
from moderation.models import ModerationEvent
from sora_site import japanese
from sora_site.errors import DomainError
from sora_site.texts import Sentence, sentence

CAMEO_USED = sentence("cameo_used", gettext_lazy("@{handle} is making a video with your cameo @{cameo}."))


REVOKED = sentence(
    "cameo_permission_revoked",
    gettext_lazy("@{owner} withdrew permission to use their cameo @{cameo}, so this video was stopped."),
)


def revoked_message(cameo: Cameo) -> Sentence:
    return REVOKED(owner=cameo.owner.username, cameo=cameo.handle)


def cameos_for_new_job(*, owner: User, texts: Iterable[str], remix_of_job_id: int | None = None) -> list[Cameo]:
    """The cameos a new job will show, checked: @mentions in the prompt and every shot, plus the cameos
    of the video being remixed. Each must be usable by `owner` and the prompt must respect each
    owner's restrictions. Raises DomainError; returns them in order."""
    texts = list(texts)
    cameos = cameos_mentioned(texts)
    parents = cameos_of_job(remix_of_job_id) if remix_of_job_id is not None else []
    for cameo in parents:
        if cameo.pk not in {c.pk for c in cameos}:
            cameos.append(cameo)
    if len(cameos) > MAX_CAMEOS_PER_VIDEO:
        handles = ", ".join(f"@{c.handle}" for c in cameos)
        raise DomainError(
            "too_many_cameos",
            gettext("A video can show at most %(max)d cameos; this one has %(count)d (%(handles)s).")
            % {"max": MAX_CAMEOS_PER_VIDEO, "count": len(cameos), "handles": handles},
            field="prompt",
        )
    cameos_allowed_check(owner=owner, cameos=cameos, texts=texts)
    return cameos


def cameos_for_stitch(*, owner: User, texts: Sequence[str], source_job_ids: Sequence[int]) -> list[Cameo]:
    """The cameos a video joined from existing ones will show: every cameo of every source, each still
    usable by `owner` now and the texts respecting each owner's restrictions. No count limit: each
    source kept it, and joining generates no one. Raises DomainError; returns them in order."""
    cameos: list[Cameo] = []
    for job_id in source_job_ids:
        cameos += [cameo for cameo in cameos_of_job(job_id) if cameo.pk not in {c.pk for c in cameos}]
    cameos_allowed_check(owner=owner, cameos=cameos, texts=texts)
    return cameos


def cameos_allowed_check(*, owner: User, cameos: Sequence[Cameo], texts: Sequence[str]) -> None:
    """No real public figure in the texts, and each cameo usable by `owner` (`cameo_use_check`) under
    its owner's restrictions."""
    prompt = " / ".join(texts)
    public_figure_check(texts, owner=owner)
    for cameo in cameos:
        cameo_use_check(owner, cameo)
        if cameo.owner_id != owner.pk:
            cameo_restrictions_check(cameo, prompt)


def public_figure_check(texts: Sequence[str], *, owner: User | None) -> None:
    """Refuse texts that name or describe a real public figure of the registry (`public_figure_mentioned`),
    with the person or office it found, in Japanese for a Japanese text. The refusal goes to the
    moderation log like the prompt stage's (`text_refused`, category public_figures)."""
    mention = public_figure_mentioned(texts)
    if mention is None:
        return
    ModerationEvent.objects.create(
        about_user=owner,
        action="text_refused",
        detail={
            "stage": "prompt",
            "category": "public_figures",
            "reason": f"{mention.how}: {mention.phrase}",
            "figure": mention.figure_id,
            "text": " / ".join(texts)[:1000],
        },
    )
    language = "ja" if any(japanese.has_japanese(text) for text in texts) else translation.get_language()
    with translation.override(language):
        if mention.kind == PublicFigure.Kind.OFFICE:
            message = gettext(
                "This prompt can't be used: it describes a real public figure (%(name)s). Videos can't depict "
                "real public figures, living or dead; use an invented character, or a cameo whose owner allows it."
            )
        else:
            message = gettext(
                "This prompt can't be used: it names or describes a real public figure (%(name)s). Videos can't "
                "depict real public figures, living or dead; use an invented character, or a cameo whose owner "
                "allows it."
            )
    raise DomainError("prompt_blocked", message % {"name": mention.name}, field="prompt")


def cameo_restrictions_check(cameo: Cameo, prompt: str) -> None:
    """Refuse a prompt that breaks the cameo owner's own rules ("nothing political")."""
    rule = restrictions.violated_rule(cameo.restrictions, prompt)
    if rule is not None:
        raise DomainError(
            "cameo_restriction",
            gettext("@%(owner)s doesn't allow their cameo in this kind of video: “%(rule)s”. Change the prompt.")
            % {"owner": cameo.owner.username, "rule": rule.text},
            field="prompt",
        )


def cameo_usage_record(*, job_id: int, maker: User, cameos: Sequence[Cameo]) -> None:
    """Ledger rows (in the caller's transaction) and a notification for each cameo owner."""
    for cameo in cameos:
        CameoUsage.objects.create(cameo=cameo, job_id=job_id)
        if cameo.owner_id != maker.pk:
            text = CAMEO_USED(handle=maker.username, cameo=cameo.handle)
            owner_notify(cameo, actor=maker, kind="cameo_used", text=text)


def cameos_recheck(*, job_id: int, maker: User) -> None:
    """On the worker, before generating: access may have been withdrawn since the job was queued."""
    for cameo in cameos_of_job(job_id):
        if cameo_use_refusal(maker, cameo) is not None:
            raise DomainError("cameo_permission_revoked", revoked_message(cameo))
