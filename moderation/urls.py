from django.urls import path

from moderation import views

urlpatterns = [
    path("moderation/", views.queue, name="moderation_queue"),
    path("moderation/case/<int:case_id>/", views.case_detail, name="moderation_case"),
    path("moderation/cases/<int:case_id>/act/", views.case_act, name="moderation_case_act"),
    path("moderation/appeals/<int:appeal_id>/decide/", views.appeal_decide, name="moderation_appeal_decide"),
    path("moderation/actions/<int:sanction_id>/", views.appeal, name="moderation_appeal"),
]
