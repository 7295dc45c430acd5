from django.urls import path

from generation import views

urlpatterns = [
    path("create/", views.create, name="create"),
    path("drafts/", views.jobs, name="jobs"),
    path("drafts/stitch/", views.stitch, name="stitch"),
    path("drafts/<str:public_id>/card/", views.job_card, name="job_card"),
    path("drafts/<str:public_id>.json", views.job_status, name="job_status"),
    path("drafts/<str:public_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("drafts/<str:public_id>/retry/", views.job_retry, name="job_retry"),
    path("drafts/<str:public_id>/delete/", views.job_delete, name="job_delete"),
]
