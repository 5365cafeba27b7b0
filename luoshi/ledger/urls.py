from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("console/", views.console, name="console"),
    path("leader/", views.leader_home, name="leader-home"),
    path("workbench/", views.workbench, name="workbench"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("notices/", views.notice_list, name="notice-list"),
    path("instructions/", views.instruction_list, name="instruction-list"),
    path("documents/", views.document_list, name="document-list"),
    path("documents/upload/", views.document_upload, name="document-upload"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
]
