from django.urls import path

from . import views

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("new/", views.project_new, name="project-new"),
    path("export.xlsx", views.export, name="project-export"),
    path("import/", views.import_projects, name="project-import"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    path("<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("<int:pk>/report/", views.project_report, name="project-report"),
    path("<int:pk>/advance/", views.project_advance, name="project-advance"),
    path("<int:pk>/items/<int:item_pk>/done/", views.project_item, name="project-item"),
    path("<int:pk>/problems/", views.project_problem, name="project-problem"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="project-photo"),
    path("problems/", views.problem_list, name="problem-list"),
    path("problems/<int:pk>/reply/", views.problem_reply, name="problem-reply"),
    path("problems/<int:pk>/close/", views.problem_close, name="problem-close"),
    path("leads/", views.board, name="lead-board"),
    path("leads/<int:pk>/", views.lead_detail, name="lead-detail"),
    path("leads/<int:pk>/advance/", views.lead_advance, name="lead-advance"),
    path("leads/<int:pk>/funds/", views.lead_funds, name="lead-funds"),
    path("leads/<int:pk>/convert/", views.lead_convert, name="lead-convert"),
]
