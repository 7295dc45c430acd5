from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SignUpForm(forms.Form):
    username = forms.CharField(label=_("Handle"), max_length=30, help_text=_("3-30 lowercase letters, digits or _"))
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    birth_date = forms.DateField(label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    invite_code = forms.CharField(label=_("Invite code"), max_length=32, required=settings.INVITE_ONLY)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not settings.INVITE_ONLY:
            self.fields["invite_code"].help_text = _("Optional")


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    bio = forms.CharField(label=_("Bio"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # A plain FileField: the service validates the bytes itself (ImageField would decode twice).
    avatar = forms.FileField(label=_("Avatar"), required=False, help_text=_("JPEG, PNG, WebP or GIF, at most 2 MB"))
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The browser's language")), *settings.LANGUAGES],
    )
    # Any name is accepted here and checked by the service (a refusal says so); the page lists them.
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("For example Asia/Tokyo. Leave it blank to follow your browser."),
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
