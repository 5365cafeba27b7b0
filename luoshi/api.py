"""The JSON API (django-ninja): /api/, OpenAPI schema at /api/openapi.json, docs at /api/docs.

Auth: `Authorization: Bearer <ApiToken.key>`, or the web session (with CSRF on unsafe methods)
for the pages' own scripts. Errors are JSON {"detail": 中文说明, ...}; the status says what kind.
"""
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ConfigError, HttpError
from ninja.errors import ValidationError as InputInvalid
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
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
from luoshi.jobs.api import router as jobs_router
from luoshi.projects.api import router as projects_router
from luoshi.service.api import router as service_router


class ReadableJSON(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese stays readable in curl and logs


def _first_unstorable(data, where):
    """The location of the first string in parsed input (keys included) a database cannot store, or None."""
    stack = [(data, where)]
    while stack:  # not recursive: deeply nested JSON must not overflow the stack
        value, loc = stack.pop()
        if isinstance(value, str):
            if services.unstorable(value):
                return loc
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and services.unstorable(key):
                    return loc
                stack.append((item, loc + (key,)))
        elif isinstance(value, list):
            stack.extend((item, loc + (i,)) for i, item in enumerate(value))
    return None


class StorableTextParser(Parser):
    """Refuses input text the database cannot store, so it is a 422 naming the field and not a 500 from the
    database (Django's forms do the same with ProhibitNullCharactersValidator)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        self._check(data, ("body",))
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        self._check(result, ("query",))
        return result

    @staticmethod
    def _check(data, where):
        loc = _first_unstorable(data, where)
        if loc is not None:
            raise InputInvalid([{"type": "unstorable_text", "loc": loc, "msg": "unstorable text"}])


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if services.unstorable(token):
            return None  # the database could not even look such a token up
        # the person and unit too: every rule asks for them, and each would be a query of its own
        found = ApiToken.objects.select_related("user__person__unit").filter(key=token).first()
        if found and found.user.is_active:
            return found.user
        return None


class SessionAuth(APIKeyCookie):
    """Django's session; CSRF is checked only once the user is known, so anonymous calls get 401, not 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=False)

    def authenticate(self, request, key):
        # a cookie that cannot be a session key is no session (luoshi.org.sessions): anonymous, never looked up
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
    """Declares, on every operation, the errors that come from the API's own layers and not from its view.

    Any operation may answer 401 (auth is API-wide); one that takes input may answer 422 (validation, below); one
    with a body may answer 400 (not JSON); an unsafe one may answer 403 (CSRF on a web session). The views'
    decorators declare the rest (their 403/404/409/422 from the rules).
    """

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = OneSchemaPerName(self, path_prefix)
        error = {"description": "错误", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/Error"}}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                codes = {401}
                if operation.get("parameters") or "requestBody" in operation:
                    codes.add(422)
                if "requestBody" in operation:
                    codes.add(400)
                if method not in ("get", "head", "options"):
                    codes.add(403)
                for code in sorted(codes):
                    operation["responses"].setdefault(code, error)
        return schema


api = LuoshiAPI(title="落实 Luoshi API", version="1", urls_namespace="api", auth=[TokenAuth(), SessionAuth()],
               renderer=ReadableJSON(), parser=StorableTextParser(),
               description="县级督查系统：任务台账、进度填报、目标值、督办单、领导批示。"
                           "认证：`Authorization: Bearer <令牌>`（令牌在系统管理中创建）。")
api.add_router("", org_router)
api.add_router("", ledger_router)
api.add_router("", projects_router)
api.add_router("", service_router)
api.add_router("", evaluation_router)
api.add_router("", jobs_router)


def _error(request, status, detail, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    response = _error(request, 401, "请先登录或提供有效的 API 令牌")
    response["WWW-Authenticate"] = "Bearer"
    return response


# pydantic's error types in Chinese; anything not listed is "取值无效"
INPUT_ERRORS = {
    "missing": "必填",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
    "float_type": "应为数字", "float_parsing": "应为数字", "decimal_type": "应为数字", "decimal_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_max_digits": "数字位数过多（最多 {max_digits} 位）",
    "decimal_max_places": "小数位数过多（最多 {decimal_places} 位）",
    "decimal_whole_digits": "整数部分位数过多（最多 {whole_digits} 位）",
    "greater_than_equal": "不能小于 {ge}", "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}", "less_than": "应小于 {lt}",
    "string_type": "应为文字", "string_too_long": "不超过 {max_length} 个字",
    "string_pattern_mismatch": "格式不正确", "string_unicode": "应为有效的文字",
    "enum": "取值无效，可选：{expected}", "literal_error": "取值无效，可选：{expected}",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期，如 2021-06-30", "date_parsing": "应为日期，如 2021-06-30",
    "date_from_datetime_parsing": "应为日期，如 2021-06-30", "date_from_datetime_inexact": "应为日期，如 2021-06-30",
    "list_type": "应为列表", "dict_type": "应为对象", "model_type": "应为对象", "model_attributes_type": "应为对象",
    "too_short": "至少 {min_length} 项", "too_long": "最多 {max_length} 项",
    "json_invalid": "不是有效的 JSON",
    "unstorable_text": "不能包含空字符（\\u0000）或无效的 Unicode 字符",
}
# the tag pydantic puts in an error's location for each member of a union (our unions are "id or name")
UNION_TAGS = {"int", "str", "constrained-int", "constrained-str"}


def _input_error(error):
    """(field, 中文说明) for one of ninja's validation errors, e.g. ("targets[0].value", "应为数字")."""
    loc = list(error.get("loc", ()))[1:]  # drop "body" / "query" / "path"
    if loc and loc[0] == "payload":
        loc = loc[1:]  # the view's body parameter, not a field the caller sent
    in_union = bool(loc) and loc[-1] in UNION_TAGS
    if in_union:
        loc = loc[:-1]
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".") or None
    kind = error.get("type", "")
    if in_union:
        reason = "应为 id（正整数）或名称"
    elif kind == "string_too_short":
        reason = "不能为空" if error.get("ctx", {}).get("min_length") == 1 else "至少 {min_length} 个字"
    else:
        reason = INPUT_ERRORS.get(kind, "取值无效")
    ctx = dict(error.get("ctx", {}))
    if "expected" in ctx:  # pydantic's "'a', 'b' or 'c'" (or "7, 15, 30 or 91")
        ctx["expected"] = "、".join(v.strip("'") for v in re.split(r", | or ", str(ctx["expected"])))
    try:
        reason = reason.format(**ctx)
    except (KeyError, IndexError):
        pass
    return field, reason


@api.exception_handler(InputInvalid)
def input_invalid(request, exc):
    """Input that does not fit the schema: 422 with the first field at fault, in Chinese, like the rules' errors."""
    found = [_input_error(error) for error in exc.errors] or [(None, "取值无效")]
    field, reason = found[0]
    detail = f"{field or '请求体'}：{reason}"
    others = len({f for f, _ in found} - {field})  # by field: "id or name" fails once per member of the union
    if others:
        detail += f"（另有 {others} 处错误）"
    return _error(request, 422, detail, field=field)


@api.exception_handler(HttpError)
def http_error(request, exc):
    if isinstance(exc.__cause__, InputInvalid):  # the body parsed, but StorableTextParser refused its text
        return input_invalid(request, exc.__cause__)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # ninja's "Cannot parse request body": the body is not JSON (or not UTF-8)
        return _error(request, 400, "请求体不是有效的 JSON", field=None)
    return _error(request, exc.status_code, str(exc))


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
