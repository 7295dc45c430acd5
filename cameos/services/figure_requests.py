"""Requests to join the public-figure registry: anyone may ask (for themselves, or as an estate), and
a moderator settles the request in the queue (the "figure_request" subject)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from cameos.models import PublicFigureRequest
from cameos.services.photos import photo_read
from cameos.services.public_figures import files_delete, phrases, public_figure_create, public_figure_photo_encoding
from feed.accounts.models import User
from moderation.cases import case_open, moderator_check
from moderation.models import ModerationCase
from sora_site.errors import DomainError
from sora_site.texts import sentence

FIGURE_ASKED = sentence(
    "case_figure_request",
    gettext_lazy("Asks to be added to the public-figure registry: {name} ({relation})"),
)

log = logging.getLogger(__name__)

FIGURE_REQUEST_SUBJECT = "figure_request"  # the moderation subject type of requests to be added


def public_figure_request_create(
    *,
    name: str,
    aliases: Sequence[str],
    descriptions: Sequence[str],
    deceased: bool,
    requester_name: str,
    relation: str,
    contact: str,
    photo: UploadedFile | None = None,
) -> PublicFigureRequest:
    """Someone asks for a name to be added to the registry (for themselves, or as the estate of someone
    who died): the request goes to the moderation queue, where approving it adds the figure."""
    if not name.strip():
        raise DomainError("figure_name_missing", gettext("Give the name to add."), field="name")
    if not requester_name.strip():
        raise DomainError("requester_name_missing", gettext("Tell us who is asking."), field="requester_name")
    if relation not in PublicFigureRequest.Relation.values:
        raise DomainError(
            "requester_relation_missing", gettext("Choose how you are related to them."), field="relation"
        )
    try:
        validate_email(contact.strip())
    except ValidationError:
        raise DomainError(
            "requester_contact_invalid", gettext("Give an email address where we can reach you."), field="contact"
        ) from None
    if photo is not None:
        photo_read(photo)  # a real image, within limits; its face is compared only once approved
        photo.seek(0)
    with transaction.atomic():
        request = PublicFigureRequest.objects.create(
            name=" ".join(name.split())[:100],
            aliases=phrases(aliases),
            descriptions=phrases(descriptions),
            deceased=deceased or relation == PublicFigureRequest.Relation.ESTATE,
            requester_name=" ".join(requester_name.split())[:100],
            relation=relation,
            contact=contact.strip()[:200],
            photo=photo if photo is not None else "",
        )
        case_open(
            subject_type=FIGURE_REQUEST_SUBJECT,
            subject_id=str(request.pk),
            category=ModerationCase.Category.FIGURE_REQUEST,
            summary=FIGURE_ASKED(name=request.name, relation=request.relation),
            detail={"name": request.name, "relation": request.relation, "deceased": request.deceased},
        )
    return request


def public_figure_request_decide(*, subject_id: str, visibility: str, reason: str, by: User) -> None:
    """A moderator settles a request (the "figure_request" subject's `show`, inside `case_act`):
    approving adds the figure with its names, descriptions and photo (a photo without exactly one face
    is left out, the names still count); either way the request's photo is then deleted."""
    moderator_check(by)
    request = (
        PublicFigureRequest.objects.select_for_update()
        .filter(pk=int(subject_id) if subject_id.isdigit() else 0, status=PublicFigureRequest.Status.PENDING)
        .first()
    )
    if request is None:
        raise DomainError("figure_request_not_found", gettext("That request was already settled."), status=404)
    photo_name = request.photo.name
    approve = visibility == "visible"  # removed: declined
    if approve:
        photos: list[UploadedFile] = []
        if photo_name:
            with default_storage.open(photo_name) as stored:
                upload = SimpleUploadedFile(Path(photo_name).name, stored.read())
            try:
                public_figure_photo_encoding(upload)
                upload.seek(0)
                photos.append(upload)
            except DomainError:
                log.info("figure request %s: its photo has no single face; added by name only", request.pk)
        relation = PublicFigureRequest.Relation(request.relation).label
        request.figure = public_figure_create(
            by=by,
            name=request.name,
            notes=f"Asked by {request.requester_name} ({relation}), {request.contact}",
            aliases=request.aliases,
            descriptions=request.descriptions,
            deceased=request.deceased,
            photos=photos,
        )
    request.status = PublicFigureRequest.Status.APPROVED if approve else PublicFigureRequest.Status.REJECTED
    request.photo.name = ""
    request.save(update_fields=["status", "figure", "photo"])
    if photo_name:
        transaction.on_commit(lambda: files_delete([photo_name]))
