from django.urls import path

from . import views

urlpatterns = [
    path("", views.run_list, name="evaluation-runs"),
    path("indicators/", views.indicator_list, name="evaluation-indicators"),
    path("runs/<int:pk>/", views.run_detail, name="evaluation-run"),
    path("runs/<int:pk>/<slug:action>/", views.run_action, name="evaluation-run-action"),
    path("runs/<int:pk>/units/<int:unit_id>/", views.breakdown, name="evaluation-breakdown"),
    path("runs/<int:pk>/bulletin.docx", views.bulletin, name="evaluation-bulletin"),
    path("runs/<int:pk>/scores.xlsx", views.scores_xlsx, name="evaluation-scores"),
    path("runs/<int:pk>/review.<slug:fmt>", views.review, name="evaluation-review"),
    path("runs/<int:pk>/units/<int:unit_id>/review.<slug:fmt>", views.review, name="evaluation-unit-review"),
    path("self-assessment/", views.self_assessment, name="evaluation-self-assessment"),
    path("ratings/<int:indicator_id>/", views.ratings, name="evaluation-ratings"),
    path("import/", views.import_values, name="evaluation-import"),
    path("import/template.xlsx", views.import_template, name="evaluation-import-template"),
]
