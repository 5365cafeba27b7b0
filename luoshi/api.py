"""The JSON API (django-ninja): /api/, OpenAPI schema at /api/openapi.json, docs at /api/docs.

Auth: `Authorization: Bearer <ApiToken.key>`, or the web session (with CSRF on unsafe methods)
for the pages' own scripts. Errors are JSON {"detail": 中文说明, ...}; the status says what kind.
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ConfigError, HttpError
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from luoshi.ledger import services
from luoshi.ledger.models import Target
from luoshi.ledger.api import TargetOut, TaskDetail
from luoshi.ledger.api import router as ledger_router
from luoshi.org.api import router as org_router
from luoshi.org.models import ApiToken
from luoshi.evaluation.api import router as evaluation_router
from luoshi.projects.api import router as projects_router
from luoshi.service.api import router as service_router


class ReadableJSON(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese stays readable in curl and logs


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(key=token).first()
        if found and found.user.is_active:
            return found.user
        return None


class SessionAuth(APIKeyCookie):
    """Django's session; CSRF is checked only once the user is known, so anonymous calls get 401, not 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=False)

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        if check_csrf(request):
            raise HttpError(403, "CSRF 校验失败，请刷新页面后重试")
        return request.user


class OneSchemaPerName(OpenAPISchema):
    """ninja files each model and enum under its bare class name and lets the last one win, so two different
    schemas with one name (Task.Status and Run.Status are both "Status") would publish a wrong contract: refuse."""

    def add_schema_definitions(self, definitions):
        for name, definition in definitions.items():
            if self.schemas.get(name, definition) != definition:
                raise ConfigError(f"two different OpenAPI schemas are both named {name!r}: rename one")
        super().add_schema_definitions(definitions)


class LuoshiAPI(NinjaAPI):
    """Its OpenAPI schema refuses two different schemas with one name (see OneSchemaPerName)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return OneSchemaPerName(self, path_prefix)


api = LuoshiAPI(title="落实 Luoshi API", version="1", urls_namespace="api", auth=[TokenAuth(), SessionAuth()],
               renderer=ReadableJSON(),
               description="县级督查系统：任务台账、进度填报、目标值、督办单、领导批示。"
                           "认证：`Authorization: Bearer <令牌>`（令牌在系统管理中创建）。")
api.add_router("", org_router)
api.add_router("", ledger_router)
api.add_router("", projects_router)
api.add_router("", service_router)
api.add_router("", evaluation_router)


def _error(request, status, detail, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    response = _error(request, 401, "请先登录或提供有效的 API 令牌")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    # one message for "no such id" and "not yours": existence is not revealed
    return _error(request, 404, "未找到")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, str(exc) or "您没有此项操作的权限")


@api.exception_handler(services.LedgerError)
def ledger_error(request, exc):
    return _error(request, 422, exc.message, field=exc.field)


@api.exception_handler(ValidationError)
def model_invalid(request, exc):
    """Model validation (full_clean in services), e.g. a deadline before the assignment date."""
    if hasattr(exc, "error_dict"):
        field = next(iter(exc.error_dict))
        return _error(request, 422, "；".join(exc.error_dict[field][0].messages), field=field)
    return _error(request, 422, "；".join(exc.messages), field=None)


@api.exception_handler(services.PublishError)
def publish_error(request, exc):
    return _error(request, 422, str(exc), errors=exc.errors)


@api.exception_handler(services.Conflict)
def conflict(request, exc):
    schema = TargetOut if isinstance(exc.current, Target) else TaskDetail
    current = schema.from_orm(exc.current, context={"request": request}).model_dump(mode="json")
    return _error(request, 409, str(exc), current=current)
