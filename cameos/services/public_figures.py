"""The public-figure registry, kept by moderators: adding and removing figures, the photos whose faces
the likeness checks match, and loading the shipped starter registry."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext

from cameos.models import PublicFigure, PublicFigurePhoto
from cameos.services.photos import photo_read
from feed.accounts.models import User
from moderation.cases import audit_record, moderator_check
from moderation.models import ModerationEvent
from sora_site.errors import DomainError

STARTER_REGISTRY = Path(__file__).resolve().parent.parent / "data" / "public_figures.toml"
_STARTER_FIELDS = ("name", "kind", "aliases", "ambiguous_names", "cues", "descriptions", "deceased")


def public_figure_create(
    *,
    by: User,
    name: str,
    notes: str = "",
    aliases: Sequence[str] = (),
    descriptions: Sequence[str] = (),
    deceased: bool = False,
    photos: Sequence[UploadedFile] = (),
) -> PublicFigure:
    """A moderator adds someone: their names and descriptions are refused in prompts at once, and
    their photos' faces (each must show exactly one) are matched by the likeness checks."""
    moderator_check(by)
    if not name.strip():
        raise DomainError("figure_name_missing", gettext("Give the public figure's name."), field="name")
    encoded = [(photo, public_figure_photo_encoding(photo)) for photo in photos]
    with transaction.atomic():
        figure = PublicFigure.objects.create(
            name=name.strip()[:100],
            notes=notes.strip()[:300],
            aliases=phrases(aliases),
            descriptions=phrases(descriptions),
            deceased=deceased,
            created_by=by,
        )
        for photo, encoding in encoded:
            photo.seek(0)
            PublicFigurePhoto.objects.create(figure=figure, image=photo, encoding=encoding)
        audit_record(
            actor=by,
            action="public_figure_added",
            detail={"figure": figure.pk, "name": figure.name, "photos": len(encoded)},
        )
    return figure


def phrases(texts: Iterable[str]) -> list[str]:
    """Names or descriptions as typed (one per line), trimmed, without blanks or repeats."""
    out: list[str] = []
    for text in texts:
        phrase = " ".join(text.split())[:200]
        if phrase and phrase not in out:
            out.append(phrase)
    return out[:50]


def public_figures_starter_load(*, path: Path = STARTER_REGISTRY) -> tuple[int, int]:
    """Add the shipped registry's entries, and bring those already here up to date, by `key`. Idempotent
    (run by `manage.py public_figures_load` at start-up); moderators' own entries are never touched, and
    a shipped entry a moderator removed is not added again. Returns (added, updated)."""
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["figure"]
    existing = {figure.key: figure for figure in PublicFigure.objects.exclude(key="")}
    # A shipped entry a moderator removed stays removed (the audit log remembers its key).
    removed = set(
        ModerationEvent.objects.filter(action="public_figure_removed", detail__has_key="key").values_list(
            "detail__key", flat=True
        )
    )
    added = updated = 0
    with transaction.atomic():
        for entry in entries:
            if entry["key"] in removed and entry["key"] not in existing:
                continue
            values = {
                "name": entry["name"],
                "kind": entry.get("kind", PublicFigure.Kind.PERSON),
                "aliases": entry.get("aliases", []),
                "ambiguous_names": entry.get("ambiguous_names", []),
                "cues": entry.get("cues", []),
                "descriptions": entry.get("descriptions", []),
                "deceased": entry.get("deceased", False),
            }
            figure = existing.get(entry["key"])
            if figure is None:
                PublicFigure.objects.create(key=entry["key"], **values)
                added += 1
            elif any(getattr(figure, field) != values[field] for field in _STARTER_FIELDS):
                for field, value in values.items():
                    setattr(figure, field, value)
                figure.save()
                updated += 1
    return added, updated


def public_figure_delete(*, by: User, figure_id: int) -> str:
    """Take someone off the registry: their photos (files and encodings) go; the removal is audited.
    Returns their name."""
    moderator_check(by)
    with transaction.atomic():
        figure = PublicFigure.objects.select_for_update().filter(pk=figure_id).first()
        if figure is None:
            raise DomainError("figure_not_found", gettext("That public figure is not in the registry."), status=404)
        names = [photo.image.name for photo in figure.photos.all() if photo.image.name]
        audit_record(
            actor=by,
            action="public_figure_removed",
            detail={"figure": figure.pk, "name": figure.name, "photos": len(names), "key": figure.key},
        )
        name = figure.name
        figure.delete()
        transaction.on_commit(lambda: files_delete(names))
    return name


def files_delete(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def public_figure_photo_encoding(photo: File) -> list[float]:
    """The encoding of the one face in a registry photo; a photo with none (or several) is refused."""
    from cameos.verification.faces import encode_image_faces

    image = photo_read(photo)
    faces = encode_image_faces(np.asarray(image), min_score=0.3, upsample=1)
    label = getattr(photo, "name", None) or gettext("a photo")
    if not faces:
        raise DomainError(
            "figure_photo_no_face",
            gettext("We found no face in %(photo)s. Use a clear photo of their face.") % {"photo": label},
            field="photos",
        )
    if len(faces) > 1:
        raise DomainError(
            "figure_photo_many_faces",
            gettext("%(photo)s shows %(count)d faces. Crop it to this person.") % {"photo": label, "count": len(faces)},
            field="photos",
        )
    encoding: list[float] = np.asarray(faces[0], dtype=np.float64).round(6).tolist()
    return encoding
