"""Open311 GeoReport v2: filled in by the requests module."""
urlpatterns = []
