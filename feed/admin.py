from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.forms import ModelForm
from django.http import HttpRequest

from feed.accounts.selectors import signed_in_user
from feed.models import Block, Follow, InviteCode, Notification, Post, User


@admin.register(User)
class AccountAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Profile", {"fields": ("display_name", "bio", "avatar", "birth_date", "is_moderator")}),
    )
    list_display = ("username", "display_name", "birth_date", "is_moderator", "is_staff", "is_active")


@admin.register(InviteCode)
class InviteCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "uses", "max_uses", "expires_at", "created_by", "created_at")
    readonly_fields = ("uses",)

    def save_model(self, request: HttpRequest, obj: InviteCode, form: ModelForm[InviteCode], change: bool) -> None:
        if not change and not obj.created_by_id:
            obj.created_by = signed_in_user(request)
        super().save_model(request, obj, form, change)


admin.site.register(Follow)
admin.site.register(Block)
admin.site.register(Post)
admin.site.register(Notification)
