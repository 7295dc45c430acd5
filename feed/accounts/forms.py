from __future__ import annotations

from django import forms
from django.conf import settings


class SignUpForm(forms.Form):
    username = forms.CharField(label="Handle", max_length=30, help_text="3-30 lowercase letters, digits or _")
    display_name = forms.CharField(label="Display name", max_length=50, required=False)
    birth_date = forms.DateField(label="Birth date", widget=forms.DateInput(attrs={"type": "date"}))
    password = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    invite_code = forms.CharField(label="Invite code", max_length=32, required=settings.INVITE_ONLY)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not settings.INVITE_ONLY:
            self.fields["invite_code"].help_text = "Optional"


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=50, required=False)
    bio = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # A plain FileField: the service validates the bytes itself (ImageField would decode twice).
    avatar = forms.FileField(required=False, help_text="JPEG, PNG, WebP or GIF, at most 2 MB")
