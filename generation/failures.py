"""Why a video failed or stopped, as sentences (sora_site.texts): the job keeps the code and its
parameters, the owner reads it in their language, and the API's `error.message` is its English."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cameos.likeness import LikenessMatch
from sora_site.texts import Sentence, sentence

GENERIC_FAILURE = sentence("job_generic_failure", _("Something went wrong while generating. Your quota was refunded."))
WORKER_LOST = sentence(
    "job_worker_lost", _("The video worker stopped responding several times. Your quota was refunded; try again.")
)
CANCELLED = sentence("job_cancelled", _("Cancelled."))
MODERATION_REMOVED = sentence("job_moderation_removed", _("Removed by a moderator."))
NUDITY_BLOCKED = sentence("job_nudity_blocked", _("This video showed nudity, so it was not kept."))
VOICE_BLOCKED = sentence(
    "job_voice_blocked",
    _("This video's speech is in the voice of someone whose cameo you may not use. It was not kept."),
)
_PUBLIC_FIGURE_BLOCKED = sentence(
    "job_public_figure_blocked",
    _("This shows a real public figure, which videos can't depict. The video was not kept."),
)
_LIKENESS_BLOCKED = sentence(
    "job_likeness_blocked",
    _("This shows the face of someone whose cameo you may not use. The video was not kept."),
)


# The cases the frames stage opens, as moderators read them.
FRAMES_BLOCKED = sentence("case_frames_blocked", _("Frames stage blocked job {id} by @{handle}: {finding}"))
VOICE_OF = sentence("case_frames_blocked_voice", _("Frames stage blocked job {id} by @{handle}: voice of @{cameo}"))


def likeness_blocked(match: LikenessMatch) -> Sentence:
    """A frame (or the image animated) shows a face the job may not show."""
    return _PUBLIC_FIGURE_BLOCKED() if match.kind == "public_figure" else _LIKENESS_BLOCKED()
