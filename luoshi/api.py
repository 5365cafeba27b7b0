"""The JSON API (django-ninja): /api/, OpenAPI schema at /api/openapi.json, docs at /api/docs."""
from ninja import NinjaAPI

api = NinjaAPI(title="落实 Luoshi API", version="1", urls_namespace="api")
