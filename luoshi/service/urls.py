from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="service-home"),
    path("submit/", views.public_submit, name="service-submit"),
    path("track/", views.track, name="service-track"),
    path("intake/", views.intake, name="service-intake"),
    path("inbox/", views.inbox, name="service-inbox"),
    path("board/", views.board, name="service-board"),
    path("requests/", views.request_list, name="service-requests"),
    path("requests/<int:pk>/", views.request_detail, name="service-request"),
    path("requests/<int:pk>/merge/", views.request_merge, name="service-request-merge"),
    path("requests/<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="service-attachment"),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="service-request-action"),
    path("officers/", views.officer_list, name="service-officers"),
    path("officers/<int:pk>/", views.officer_detail, name="service-officer"),
    path("officers/<int:pk>/visits/", views.officer_visit, name="service-officer-visit"),
    path("rankings/", views.rankings, name="service-rankings"),
    path("export/requests.xlsx", views.export_requests, name="service-export-requests"),
    path("export/rankings.xlsx", views.export_rankings, name="service-export-rankings"),
]
