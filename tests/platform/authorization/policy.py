"""The product's rules, as the matrix expects them: who may read or write what, in which state.

Written from the rules (docs/ARCHITECTURE.md, issue 19), not from what the code does today. Each rule
answers ALLOW (the door must grant), DENY (it must refuse: an error page, the /v1 envelope, a
redirect to log in, or the same answer as a missing id) or EITHER (the rules leave it open; only a
5xx fails). "owner" is the object's owner; the other personas are other people.
"""

from __future__ import annotations

from typing import Literal

Persona = Literal["anonymous", "owner", "adult", "teen", "suspended", "banned", "moderator"]
ANON: Persona = "anonymous"
OWNER: Persona = "owner"
ADULT: Persona = "adult"
TEEN: Persona = "teen"
SUSPENDED: Persona = "suspended"
BANNED: Persona = "banned"
MOD: Persona = "moderator"
PERSONAS: tuple[Persona, ...] = (ANON, OWNER, ADULT, TEEN, SUSPENDED, BANNED, MOD)
OUT_OF_STANDING = (SUSPENDED, BANNED)

Rule = Literal["allow", "deny", "either"]
ALLOW: Rule = "allow"
DENY: Rule = "deny"
EITHER: Rule = "either"


def _rule(allowed: bool) -> Rule:
    return ALLOW if allowed else DENY


# --- posts -------------------------------------------------------------------------------------------
# States: public; private (only its author); teen_unsuitable (the publish stage hid it from teens);
# in_review (the publish stage held it for a moderator); taken_down (a moderator hid it);
# author_hidden (a moderator hid the author's profile); author_blocks (its author blocked every
# signed-in persona); author_suspended / author_banned (own-write doors only).
POST_STATES = ("public", "private", "teen_unsuitable", "in_review", "taken_down", "author_hidden", "author_blocks")
OWN_POST_STATES = ("public", "author_suspended", "author_banned")
NOT_SHOWN = (
    "private",
    "in_review",
    "taken_down",
    "author_hidden",
)  # nobody but the owner, moderators where the queue needs it


def post_read(persona: Persona, state: str) -> Rule:
    """The post page, its comments sheet, download, its video and poster."""
    if persona == OWNER:
        return ALLOW
    if state in NOT_SHOWN or state == "author_blocks":
        # Moderators review reported and hidden posts from the queue; whether they also get the page is open.
        return EITHER if persona == MOD else _rule(state == "author_blocks" and persona == ANON)
    if state == "teen_unsuitable":
        return _rule(persona != TEEN)
    return ALLOW


def post_listed(persona: Persona, state: str) -> Rule:
    """Listed on its author's profile grid (a page, not the queue: moderators get no exception but for a
    hidden author's profile, which they review)."""
    if persona == MOD and state == "author_hidden":
        return EITHER
    rule = post_read(persona, state)
    return DENY if rule == EITHER else rule


def post_in_feed(persona: Persona, state: str) -> Rule:
    """In For You or the next page: what may not be seen must never be there; what may be seen may be
    ranked out, so presence is not required."""
    return EITHER if post_listed(persona, state) == ALLOW else DENY


def post_engage(persona: Persona, state: str) -> Rule:
    """Like, not interested: a signed-in person on a post they may see. Suspensions stop creating,
    posting and commenting; whether they stop likes too is open."""
    if persona == ANON:
        return DENY
    if persona == OWNER:
        return EITHER
    seen = post_listed(persona, state)
    return EITHER if seen == ALLOW and persona in OUT_OF_STANDING else seen


def post_share(persona: Persona, state: str) -> Rule:
    """Sharing (anyone, signed in or not) counts a share of a post the sharer may see."""
    if persona == OWNER:
        return EITHER if state in NOT_SHOWN else ALLOW
    return post_listed(persona, state)


def post_comment(persona: Persona, state: str) -> Rule:
    if persona in (ANON, *OUT_OF_STANDING):
        return DENY
    if persona == OWNER:
        return EITHER if state in NOT_SHOWN else ALLOW
    return post_listed(persona, state)


def post_report(persona: Persona, state: str) -> Rule:
    """Nobody reports their own post; suspended and banned people may still report (open)."""
    if persona in (ANON, OWNER):
        return DENY
    seen = post_listed(persona, state)
    return EITHER if seen == ALLOW and persona in OUT_OF_STANDING else seen


def post_view(persona: Persona, state: str) -> Rule:
    """Recording a view: refused, with the answer a missing id gets, for posts the viewer may not see."""
    if persona == ANON:
        return DENY
    if persona == OWNER:  # whether an owner's own views of a post nobody else sees count is open
        return EITHER if state in NOT_SHOWN else ALLOW
    return post_listed(persona, state)


def post_remix(persona: Persona, state: str) -> Rule:
    """Remixing a post's video: its owner, or a person in good standing who may see it (moderators
    review hidden videos, they do not remix them). Not even its owner while the post is in review or
    taken down: a removed video must not come back as a "new" one."""
    if persona in (ANON, *OUT_OF_STANDING):
        return DENY
    if persona == OWNER:
        return _rule(state not in ("author_suspended", "author_banned", "in_review", "taken_down"))
    return post_listed(persona, state)


def post_own_write(persona: Persona, state: str) -> Rule:
    """Editing a post (caption, visibility): its owner, in good standing."""
    return _rule(persona == OWNER and state not in ("author_suspended", "author_banned"))


# --- drafts and jobs ---------------------------------------------------------------------------------
JOB_STATES = (
    "queued",
    "completed",
    "failed",
    "cancelled_remix_of_private",
    "cancelled_remix_of_taken_down",
    "failed_owner_suspended",
    "failed_owner_banned",
    "completed_owner_suspended",
    "completed_owner_banned",
)
OUT_OF_STANDING_OWNER = tuple(state for state in JOB_STATES if state.endswith(("_suspended", "_banned")))
REMIX_SOURCE_GONE = ("cancelled_remix_of_private", "cancelled_remix_of_taken_down")


def job_new_request(persona: Persona, state: str) -> Rule:
    """Retry, post, edit, extend, remix or stitch one's own draft: a new request, so standing and the remix
    source's visibility are checked again."""
    if persona != OWNER or state in OUT_OF_STANDING_OWNER:
        return DENY
    return _rule(state not in REMIX_SOURCE_GONE)


# --- comments ----------------------------------------------------------------------------------------
COMMENT_STATES = ("visible", "hidden")  # hidden: by a moderator


def comment_read(persona: Persona, state: str) -> Rule:
    if persona == OWNER or state == "visible":
        return ALLOW
    return EITHER if persona == MOD else DENY


def comment_report(persona: Persona, state: str) -> Rule:
    """A hidden comment is gone for everyone but its author: it cannot be reported (nor confirmed)."""
    if persona in (ANON, OWNER):
        return DENY
    if state == "hidden":
        return EITHER if persona == MOD else DENY
    return EITHER if persona in OUT_OF_STANDING else ALLOW


# --- cameos ------------------------------------------------------------------------------------------
# approved: active, "people I approve", nobody approved yet; everyone: active, anyone may use it;
# paused: the owner paused it; revoked: the owner revoked every persona's access; teen: a 15-year-old's;
# rules: anyone may use it within the owner's rules ("nothing political").
CAMEO_STATES = ("approved", "everyone", "paused", "revoked", "teen", "rules")
OPEN_CAMEOS = ("everyone", "rules")


def cameo_use(persona: Persona, state: str) -> Rule:
    """Using the cameo in a new video (an @mention on the create page)."""
    if persona == OWNER:
        return ALLOW
    if persona in (ANON, *OUT_OF_STANDING):
        return DENY
    if state in OPEN_CAMEOS:
        return EITHER if persona == TEEN else ALLOW
    if state == "teen" and persona == TEEN:
        return EITHER
    return DENY


def cameo_usable_listed(persona: Persona, state: str) -> Rule:
    """The @ autocomplete and the /v1 character: what the persona may use (standing aside)."""
    if persona in OUT_OF_STANDING:
        return EITHER if state in OPEN_CAMEOS else DENY
    return cameo_use(persona, state)


def cameo_use_against_rules(persona: Persona, state: str) -> Rule:
    """A prompt that breaks the owner's rules: the rules bind everyone but the owner."""
    return ALLOW if persona == OWNER else DENY


def cameo_request(persona: Persona, state: str) -> Rule:
    """Asking the owner for access: never one's own, never when out of standing, never an adult to a
    teen, never after the owner revoked one's access."""
    if persona in (ANON, OWNER, *OUT_OF_STANDING):
        return DENY
    if state == "revoked":
        return DENY
    if state == "teen":
        return EITHER if persona == TEEN else DENY
    if state == "approved":
        return EITHER if persona == TEEN else ALLOW
    return EITHER  # asking for what is already open, or paused


def cameo_page(persona: Persona, state: str) -> Rule:
    if persona == OWNER:
        return ALLOW
    if persona == ANON:
        return DENY
    return ALLOW if state in ("approved", *OPEN_CAMEOS) else EITHER


def cameo_portrait(persona: Persona, state: str) -> Rule:
    """Biometric crops: the owner and moderators."""
    return ALLOW if persona in (OWNER, MOD) else DENY


# --- profiles ----------------------------------------------------------------------------------------
PROFILE_STATES = ("normal", "hidden", "blocks_viewer")  # hidden by a moderator; blocks every signed-in persona


def profile_read(persona: Persona, state: str) -> Rule:
    """The bio and the follower lists."""
    if persona == OWNER or state == "normal":
        return ALLOW
    if state == "hidden":
        return EITHER if persona == MOD else DENY
    return ALLOW if persona == ANON else EITHER


def profile_follow(persona: Persona, state: str) -> Rule:
    if persona == ANON:
        return DENY
    if persona == OWNER:
        return EITHER
    if state == "blocks_viewer":
        return DENY
    return ALLOW if state == "normal" and persona not in OUT_OF_STANDING else EITHER


def profile_block(persona: Persona, state: str) -> Rule:
    if persona == ANON:
        return DENY
    return EITHER if persona == OWNER or persona in OUT_OF_STANDING or state != "normal" else ALLOW


def profile_report(persona: Persona, state: str) -> Rule:
    if persona in (ANON, OWNER):
        return DENY
    return ALLOW if state == "normal" and persona not in OUT_OF_STANDING else EITHER


# --- moderation, appeals, the account's own things -------------------------------------------------


def moderators_only(persona: Persona, state: str) -> Rule:
    return ALLOW if persona == MOD else DENY


def appeal_page(persona: Persona, state: str) -> Rule:
    """A sanction's page: the sanctioned person (who may appeal even when suspended or banned)."""
    if persona == OWNER:
        return ALLOW
    return EITHER if persona == MOD else DENY


def owner_only(persona: Persona, state: str) -> Rule:
    """Its owner's alone: reading a draft (card, status, /v1 object, its media), cancelling or deleting
    it; deleting a post or a comment (the post's author may too, not a persona here); a cameo's settings,
    uses and deletion; sending an appeal; API keys, webhook endpoints, notifications."""
    return ALLOW if persona == OWNER else DENY


def owner_only_or_own(persona: Persona, state: str) -> Rule:
    """Account pages that act on the caller's own things (a webhook test goes to their own endpoints)."""
    if persona == ANON:
        return DENY
    return ALLOW if persona == OWNER else EITHER


def anyone(persona: Persona, state: str) -> Rule:
    return ALLOW


def signed_in(persona: Persona, state: str) -> Rule:
    return DENY if persona == ANON else ALLOW


def signed_in_open(persona: Persona, state: str) -> Rule:
    """Signed in; what else the action needs (an upload, a face) is not this matrix's business."""
    return DENY if persona == ANON else EITHER


def signed_in_creating(persona: Persona, state: str) -> Rule:
    """Creating a video: signed in and in good standing."""
    return DENY if persona in (ANON, *OUT_OF_STANDING) else ALLOW


def signed_out_pages(persona: Persona, state: str) -> Rule:
    """Sign-up and log-in: for anyone; a signed-in person may be sent on."""
    return ALLOW if persona == ANON else EITHER


def nobody(persona: Persona, state: str) -> Rule:
    """Django's admin: staff only, and no persona is staff."""
    return DENY
