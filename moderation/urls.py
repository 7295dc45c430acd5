from django.urls import path

from moderation import views

urlpatterns = [
    path("moderation/", views.queue, name="moderation_queue"),
    path("moderation/cases/<int:case_id>/decide/", views.case_decide, name="moderation_case_decide"),
]
