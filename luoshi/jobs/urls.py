from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/status.json", views.job_status, name="job-status"),
]
