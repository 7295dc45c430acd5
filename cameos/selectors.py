"""Reads for cameos. `cameo_use_check` is the one place that decides "may X use cameo Y";
`cameo_visible_to` the one that decides "may X see (or manage) cameo Y"."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from cameos import figures
from cameos.mentions import name_folded
from cameos.models import Cameo, CameoAccess, CameoUsage, PublicFigure
from feed.accounts.models import User
from feed.graph.selectors import are_mutuals, is_blocked_either_way
from moderation.sanctions import account_standing_check
from moderation.selectors import user_is_moderator
from sora_site import japanese
from sora_site.errors import DomainError

MAX_CAMEOS_PER_VIDEO = 2

Access = Cameo.Access


BUSY = (Cameo.Status.QUEUED, Cameo.Status.VERIFYING)  # a recording is being checked

# What a viewer wants with a cameo, for `cameo_get_for_viewer`.
CameoPurpose = Literal["see", "manage", "portraits"]


def cameo_not_found(handle: str) -> DomainError:
    """The answer for a cameo that is missing or that this viewer may not have: the two look the same."""
    return DomainError("cameo_not_found", gettext("There is no cameo @%(handle)s.") % {"handle": handle}, status=404)


def cameo_visible_to(viewer: User, cameo: Cameo, *, to: CameoPurpose = "see") -> bool:
    """The one rule for "may this viewer have this cameo":
    - "see" (its page, asking for access): its owner; anyone else while it is active, its owner's
      account is active and neither has blocked the other;
    - "manage" (its settings, access, ledger, deletion): its owner only;
    - "portraits" (biometric crops): its owner, unless it is held because its face matched someone
      else's (then the crops show that person), and moderators."""
    own = cameo.owner_id == viewer.pk
    if to == "manage":
        return own
    if to == "portraits":
        return (own and cameo.status != Cameo.Status.IN_REVIEW) or user_is_moderator(viewer)
    if own:
        return True
    return (
        cameo.status == Cameo.Status.ACTIVE and cameo.owner.is_active and not is_blocked_either_way(viewer, cameo.owner)
    )


def cameo_check_for_viewer(cameo: Cameo, viewer: User, *, to: CameoPurpose = "see") -> None:
    """Raise `cameo_not_found` unless `cameo_visible_to`: what services given a cameo call."""
    if not cameo_visible_to(viewer, cameo, to=to):
        raise cameo_not_found(cameo.handle)


def cameo_get_for_viewer(handle: str, viewer: User, *, to: CameoPurpose = "see") -> Cameo:
    """The cameo `@handle` if `viewer` may have it for `to` (`cameo_visible_to`): what every door that
    names a cameo calls. A cameo they may not have is indistinguishable from a missing one."""
    cameo = Cameo.objects.select_related("owner").filter(handle=handle.lower().lstrip("@")).first()
    if cameo is None:
        raise cameo_not_found(handle)
    cameo_check_for_viewer(cameo, viewer, to=to)
    return cameo


def cameos_of(owner: User) -> QuerySet[Cameo]:
    return Cameo.objects.filter(owner=owner).order_by("kind", "handle")


def effective_access(cameo: Cameo) -> str:
    """The owner's chosen level, capped at mutuals for a teen's cameo."""
    if cameo.owner.is_teen and cameo.access == Access.EVERYONE:
        return Access.MUTUALS
    return cameo.access


def cameo_use_refusal(user: User, cameo: Cameo) -> str | None:
    """Why `user` may not use `cameo` (a sentence for them), or None when they may."""
    owner = cameo.owner
    if not owner.is_active or cameo.status != Cameo.Status.ACTIVE:
        return gettext("@%(cameo)s is not an active cameo.") % {"cameo": cameo.handle}
    if owner.pk == user.pk:
        return None
    if cameo.is_paused:
        return gettext("@%(cameo)s has paused their cameo.") % {"cameo": cameo.handle}
    if is_blocked_either_way(user, owner):
        return gettext("You can't use @%(cameo)s's cameo.") % {"cameo": cameo.handle}
    entry = CameoAccess.objects.filter(cameo=cameo, user=user).values_list("state", flat=True).first()
    if entry == CameoAccess.State.REVOKED:
        return gettext("@%(owner)s has not allowed you to use their cameo.") % {"owner": owner.username}
    level = effective_access(cameo)
    mutual = are_mutuals(user, owner)
    # Teen rules: a teen's cameo never reaches beyond their mutuals (so no adult uses it unless
    # they are mutuals), whatever the level or an approval says.
    if owner.is_teen and not mutual:
        return gettext("Only @%(owner)s's mutual followers can use their cameo.") % {"owner": owner.username}
    if level == Access.ONLY_ME:
        return gettext("@%(owner)s keeps their cameo to themselves.") % {"owner": owner.username}
    if level == Access.APPROVED and entry != CameoAccess.State.APPROVED:
        return gettext("@%(owner)s only lets people they approve use their cameo. Ask them for access.") % {
            "owner": owner.username
        }
    if level == Access.MUTUALS and not mutual:
        return gettext("Only @%(owner)s's mutual followers can use their cameo.") % {"owner": owner.username}
    return None


def cameo_use_check(user: User, cameo: Cameo) -> None:
    """Raise `cameo_permission_denied` unless `user` may put `cameo` in a video. Every path calls this."""
    reason = cameo_use_refusal(user, cameo)
    if reason is not None:
        raise DomainError("cameo_permission_denied", reason, field="prompt", status=403)


def may_use(user: User, cameo: Cameo) -> bool:
    return cameo_use_refusal(user, cameo) is None


ACCESS_IN_WORDS = {
    Access.ONLY_ME: gettext_lazy("Only {owner} can use it."),
    Access.APPROVED: gettext_lazy("People {owner} approves can use it."),
    Access.MUTUALS: gettext_lazy("{owner}'s mutual followers can use it."),
    Access.EVERYONE: gettext_lazy("Anyone can use it."),
}


@dataclass(frozen=True)
class CameoStanding:
    """One cameo as a given viewer finds it on its owner's profile."""

    cameo: Cameo
    level: str  # who may use it, in plain words
    state: str  # "own", "can_use", "requested", "can_ask", "not_available" or "sign_in"
    reason: str = ""  # why not, when not available


def cameo_standing(viewer: User | None, cameo: Cameo) -> CameoStanding:
    """Whether `viewer` may use `cameo`, has asked, may ask (only an "approved" level answers a
    request, and never past a teen's mutuals), or cannot."""
    level = str(ACCESS_IN_WORDS[Access(effective_access(cameo))]).format(owner=f"@{cameo.owner.username}")
    if viewer is None:
        return CameoStanding(cameo, level, "sign_in")
    if viewer.pk == cameo.owner_id:
        return CameoStanding(cameo, level, "own")
    reason = cameo_use_refusal(viewer, cameo)
    if reason is None:
        return CameoStanding(cameo, level, "can_use")
    entry = CameoAccess.objects.filter(cameo=cameo, user=viewer).values_list("state", flat=True).first()
    if entry == CameoAccess.State.REQUESTED:
        return CameoStanding(cameo, level, "requested", reason)
    refusal = cameo_access_request_refusal(viewer, cameo)
    if refusal is None:
        return CameoStanding(cameo, level, "can_ask", reason)
    # At the level that takes requests, why this viewer can't ask (a suspension, say) is the news.
    why = refusal.message if effective_access(cameo) == Access.APPROVED else reason
    return CameoStanding(cameo, level, "not_available", why)


def cameo_access_request_refusal(user: User, cameo: Cameo) -> DomainError | None:
    """Why `user` may not ask `cameo`'s owner for access (the error to raise), or None when they may.
    The one rule behind the "Ask for access" button and `cameos.services.access.cameo_request_access`: an
    account in good standing, a usable cameo whose owner neither blocked nor is blocked by them, not
    refused before, at the "people I approve" level (the only one a request can change), and never
    beyond a teen owner's mutual followers (an adult stranger can't reach a teen this way)."""
    try:
        account_standing_check(user=user)
    except DomainError as error:
        return error
    owner = cameo.owner
    if owner.pk == user.pk:
        return DomainError("cameo_own", gettext("This is your own cameo."))
    if not cameo_visible_to(user, cameo):
        return cameo_not_found(cameo.handle)
    if cameo.is_paused:
        return DomainError(
            "cameo_paused", gettext("@%(cameo)s has paused their cameo.") % {"cameo": cameo.handle}, status=403
        )
    if CameoAccess.objects.filter(cameo=cameo, user=user, state=CameoAccess.State.REVOKED).exists():
        return DomainError(
            "cameo_access_revoked",
            gettext("@%(owner)s has not allowed you to use their cameo.") % {"owner": owner.username},
            status=403,
        )
    if owner.is_teen and not are_mutuals(user, owner):
        return DomainError(
            "cameo_request_not_allowed",
            gettext("Only @%(owner)s's mutual followers can use their cameo.") % {"owner": owner.username},
            status=403,
        )
    level = effective_access(cameo)
    if level != Access.APPROVED:
        in_words = str(ACCESS_IN_WORDS[Access(level)]).format(owner=f"@{owner.username}")
        return DomainError(
            "cameo_request_not_allowed",
            gettext("@%(owner)s's cameo doesn't take requests. %(level)s")
            % {"owner": owner.username, "level": in_words},
            status=403,
        )
    return None


def cameo_access_request_check(user: User, cameo: Cameo) -> None:
    """Raise unless `user` may ask for access to `cameo` (`cameo_access_request_refusal`)."""
    refusal = cameo_access_request_refusal(user, cameo)
    if refusal is not None:
        raise refusal


def cameos_on_profile(viewer: User | None, owner: User) -> list[CameoStanding]:
    """The owner's active cameos (their person first, then pets and characters) as `viewer` finds
    them; none across a block either way."""
    if not owner.is_active or (viewer is not None and is_blocked_either_way(viewer, owner)):
        return []
    active = cameos_of(owner).select_related("owner").filter(status=Cameo.Status.ACTIVE)
    return [cameo_standing(viewer, cameo) for cameo in sorted(active, key=lambda c: (not c.is_human, c.handle))]


def public_figure_mentioned(texts: Iterable[str]) -> figures.Mention | None:
    """A public figure of the registry that `texts` name (a name or alias, an everyday-word name with a
    cue beside it) or describe (office, team and number, deed), living or deceased; None if none.
    The one check of the prompt stage for words about real people (`cameos_for_new_job`)."""
    version = tuple(PublicFigure.objects.aggregate(count=Count("id"), latest=Max("updated_at")).values())
    return figures.index_cached(version, _public_figure_entries).search(list(texts))


def _public_figure_entries() -> list[figures.Entry]:
    rows = PublicFigure.objects.order_by("pk").values_list(
        "pk", "name", "kind", "aliases", "ambiguous_names", "cues", "descriptions"
    )
    return [
        figures.entry_build(
            figure_id=pk,
            name=name,
            kind=kind,
            aliases=aliases,
            ambiguous_names=ambiguous,
            cues=cues,
            descriptions=descriptions,
        )
        for pk, name, kind, aliases, ambiguous, cues, descriptions in rows
    ]


def cameos_of_job(job_id: int) -> list[Cameo]:
    """The cameos a job shows, in the order they were named."""
    return list(Cameo.objects.select_related("owner").filter(usages__job_id=job_id).order_by("usages__id"))


def cameos_usable_by(user: User, *, query: str = "", limit: int = 8) -> list[Cameo]:
    """For the @ autocomplete: active cameos `user` may use whose handle, name or owner's display name
    starts with `query`; a Japanese query (kana or kanji) is found anywhere in the names, folded as
    the name check folds them: either kana script, full or half width, spaces ignored (山田花子 by 花子
    or by 山田 花子, ハナコ by はなこ or ﾊﾅｺ)."""
    candidates = Cameo.objects.select_related("owner").filter(status=Cameo.Status.ACTIVE, owner__is_active=True)
    query = unicodedata.normalize("NFKC", query).lstrip("@")
    if query and japanese.has_japanese(query):
        # Japanese names have no spaces to start a word at, so a part of the name is looked for.
        spelling = japanese.folded(query)
        candidates = candidates.annotate(
            folded_name=name_folded("name"), folded_owner_name=name_folded("owner__display_name")
        ).filter(Q(folded_name__contains=spelling) | Q(folded_owner_name__contains=spelling))
    elif query:
        candidates = candidates.filter(
            Q(handle__startswith=query.lower()) | Q(name__istartswith=query) | Q(owner__display_name__istartswith=query)
        )
    # The visibility rules are per pair; walk a bounded candidate list, own cameos first.
    ordered = sorted(candidates.order_by("handle")[:200], key=lambda c: (c.owner_id != user.pk, c.handle))
    return [c for c in ordered if may_use(user, c)][:limit]


def usages_of(cameo: Cameo) -> QuerySet[CameoUsage]:
    """Every job (and post) that used the cameo, whoever made it, newest first."""
    return CameoUsage.objects.filter(cameo=cameo).select_related("job__owner", "job__post")


def access_entries(cameo: Cameo, state: str) -> QuerySet[CameoAccess]:
    return cameo.access_entries.filter(state=state).select_related("user").order_by("user__username")


def cameo_status_dict(cameo: Cameo) -> dict:
    """What the recording page shows (and what the socket pushes): no biometrics."""
    return {
        "type": "cameo",
        "handle": cameo.handle,
        "status": cameo.status,
        "status_label": cameo.get_status_display(),
        "failures": cameo.failures_said,  # in the active language: the asker's, the owner's for a push
        "digits_check": cameo.report.get("digits_check", "not_checked"),
    }


def prompt_with_preferences(prompt: str, cameos: Iterable[Cameo]) -> str:
    """The owners' preferences appended to the instruction the model gets."""
    notes = [f"@{cameo.handle}: {cameo.preferences}" for cameo in cameos if cameo.preferences]
    return prompt if not notes else f"{prompt}\n\nCameo notes from their owners. " + " ".join(notes)
