from django.urls import path

from generation import views

urlpatterns = [
    path("create/", views.create, name="create"),
]
