from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("console/", views.console, name="console"),
    path("console/reminders/", views.console_reminders, name="console-reminders"),
    path("leader/", views.leader_home, name="leader-home"),
    path("workbench/", views.workbench, name="workbench"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/report/", views.task_report, name="task-report"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task-edit"),
    path("tasks/<int:pk>/milestones/", views.task_milestone, name="task-milestone"),
    path("tasks/<int:pk>/milestones/<int:milestone_pk>/done/", views.milestone_done, name="milestone-done"),
    path("tasks/<int:pk>/verify/", views.task_verify, name="task-verify"),
    path("tasks/<int:pk>/return/", views.task_return, name="task-return"),
    path("tasks/<int:pk>/notice/", views.task_notice, name="task-notice"),
    path("tasks/<int:pk>/instruct/", views.task_instruct, name="task-instruct"),
    path("tasks/<int:pk>/targets/<int:target_pk>/fill/", views.target_fill, name="target-fill"),
    path("tasks/<int:pk>/targets/<int:target_pk>/confirm/", views.target_review, {"action": "confirm"},
         name="target-confirm"),
    path("tasks/<int:pk>/targets/<int:target_pk>/return/", views.target_review, {"action": "return"},
         name="target-return"),
    path("tasks/<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/<int:pk>/reply/", views.notice_reply, name="notice-reply"),
    path("instructions/", views.instruction_list, name="instruction-list"),
    path("instructions/<int:pk>/reply/", views.instruction_reply, name="instruction-reply"),
    path("documents/", views.document_list, name="document-list"),
    path("documents/upload/", views.document_upload, name="document-upload"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
]
