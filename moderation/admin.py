from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from moderation.models import ModerationCase, ModerationEvent


class EventInline(admin.TabularInline):
    model = ModerationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "action", "detail", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: ModerationCase | None = None) -> bool:
        return False


@admin.register(ModerationCase)
class ModerationCaseAdmin(admin.ModelAdmin):
    list_display = ["id", "category", "subject_type", "subject_id", "status", "created_at"]
    list_filter = ["status", "category"]
    inlines = [EventInline]
