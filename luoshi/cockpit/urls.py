from django.urls import path

from . import views

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("units/", views.units, name="cockpit-units"),
    path("records/<slug:kind>/", views.records, name="cockpit-records"),
]
