from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files import File

from cameos.models import Cameo, CameoUsage, PublicFigure, PublicFigurePhoto
from cameos.services import public_figures
from sora_site.errors import DomainError


@admin.register(Cameo)
class CameoAdmin(admin.ModelAdmin):
    list_display = ["handle", "owner", "kind", "status", "access", "is_paused", "created_at"]
    list_filter = ["kind", "status", "access"]
    search_fields = ["handle", "owner__username"]
    # Biometric fields stay out of the admin's forms and lists.
    exclude = ["face_encodings", "voice_embedding", "recording"]
    readonly_fields = [
        "owner",
        "handle",
        "kind",
        "challenge",
        "report",
        "voice_pitch_hz",
        "espeak_voice",
        "verified_at",
    ]


@admin.register(CameoUsage)
class CameoUsageAdmin(admin.ModelAdmin):
    list_display = ["cameo", "job", "created_at"]


class PublicFigurePhotoForm(forms.ModelForm):
    class Meta:
        model = PublicFigurePhoto
        fields = ["image"]

    def clean_image(self) -> File | None:
        """Encodings are computed on save; a photo without exactly one face is refused here."""
        image: File | None = self.cleaned_data["image"]
        if image and not self.instance.pk:
            try:
                self.instance.encoding = public_figures.public_figure_photo_encoding(image)
            except DomainError as error:
                raise ValidationError(error.message) from None
            image.seek(0)
        return image


class PublicFigurePhotoInline(admin.TabularInline):
    model = PublicFigurePhoto
    form = PublicFigurePhotoForm
    extra = 1


@admin.register(PublicFigure)
class PublicFigureAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "deceased", "key", "updated_at"]
    list_filter = ["kind", "deceased"]
    search_fields = ["name", "key"]
    inlines = [PublicFigurePhotoInline]
