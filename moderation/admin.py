from django.contrib import admin

from moderation.models import ModerationCase, ModerationEvent


class EventInline(admin.TabularInline):
    model = ModerationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "action", "detail", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(ModerationCase)
class ModerationCaseAdmin(admin.ModelAdmin):
    list_display = ["id", "category", "subject_type", "subject_id", "status", "created_at"]
    list_filter = ["status", "category"]
    inlines = [EventInline]
