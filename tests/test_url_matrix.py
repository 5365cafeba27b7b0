"""Every URL of every module needs a login, except an explicit allow-list of public paths.

All URL patterns are enumerated from the resolver (pages, exports, admin, the API's routes) and every API
operation from the OpenAPI schema; each is requested anonymously with GET and POST. A page must send the visitor
to a login page (302), the API must answer 401; 403 and 405 (nothing done) are also a refusal. A new URL that
answers anything else fails here until it is added to PUBLIC with a reason.
"""
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# path (as enumerated, parameters filled in) → why it is public
PUBLIC = {
    "/login/": "the login page",
    "/logout/": "signing out (POST) needs no login",
    "/admin/login/": "the admin's login page (throttled like /login/)",
    "/admin/logout/": "signing out of the admin needs no login (anonymous: sent to /admin/, then its login)",
    "/i18n/setlang/": "the language switch",
    "/service/submit/": "the public request form (rate-limited per IP)",
    "/service/track/": "the public tracking page (number + last four phone digits, rate-limited)",
    "/api/openapi.json": "the API's schema",
    "/api/docs": "the API's documentation page",
}
PUBLIC_PREFIXES = {
    "/open311/v2/": "Open311 GeoReport v2: services and requests are public by the standard; POST is the public intake",
    "/static/": "static files",
}
LOGIN_PAGES = ("/login/", "/admin/login/")
# patterns with no view behind them: 404 for everyone, signed in or not
NO_VIEW = {"/api/": "django-ninja's root route; the operations live below it"}

SAMPLE = {"int": "1", "slug": "x", "str": "x", "path": "x", "uuid": "00000000-0000-4000-8000-000000000000"}


def _fill_regex(pattern):
    """A concrete path for a regex pattern: named groups become sample values, anchors and escapes go."""
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: {"fmt": "json"}.get(m.group(1), "x"), pattern)
    text = text.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\Z", "")
    text = re.sub(r"\(\?:[^)]*\)\??", "", text)
    return text


def _fill(pattern):
    route = getattr(pattern.pattern, "_route", None)
    if route is not None:
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    return _fill_regex(pattern.pattern.regex.pattern)


def all_paths(patterns=None, prefix="/"):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out += all_paths(p.url_patterns, prefix + _fill(p))
        elif isinstance(p, URLPattern):
            out.append(prefix + _fill(p))
    return sorted(set(out))


def api_operations():
    from luoshi.api import api

    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        concrete = re.sub(r"\{(\w+)\}", "1", path)
        for method in methods:
            ops.append((method.upper(), concrete))
    return sorted(ops)


def is_public(path):
    return path in PUBLIC or any(path.startswith(p) for p in PUBLIC_PREFIXES)


def refused(response):
    if response.status_code == 302:
        return response["Location"].split("?")[0].endswith(LOGIN_PAGES)
    return response.status_code in (401, 403, 405)


PATHS = all_paths()


def test_enumeration_covers_every_module():
    prefixes = {"/admin/", "/api/", "/ledger/", "/projects/", "/service/", "/cockpit/", "/evaluation/", "/open311/v2/",
                "/tasks/", "/documents/", "/console/"}
    missing = {p for p in prefixes if not any(path.startswith(p) for path in PATHS)}
    assert not missing, missing
    assert len(PATHS) > 100 and len(api_operations()) > 20


def test_allow_list_is_real():
    """Every allow-listed path exists: the list cannot silently cover something gone."""
    for path in PUBLIC:
        assert path in PATHS, path


@pytest.mark.parametrize("path", [p for p in PATHS if not is_public(p) and p not in NO_VIEW])
def test_every_page_needs_a_login(client, path):
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert refused(response), f"{method.upper()} {path} → {response.status_code} " \
                                  f"{response.get('Location', '')} for an anonymous visitor"


@pytest.mark.parametrize("method, path", api_operations())
def test_every_api_operation_needs_a_token(client, method, path):
    if is_public(path):
        pytest.skip("public")
    response = client.generic(method, path, data="{}", content_type="application/json")
    assert response.status_code in (401, 403), f"{method} {path} → {response.status_code} without a token"


@pytest.mark.parametrize("path", sorted(set(PUBLIC) | {p for p in PATHS if is_public(p) and not p.startswith("/static/")}))
def test_public_paths_answer_without_a_server_error(client, path):
    assert client.get(path).status_code < 500, path


@pytest.mark.parametrize("path", sorted(NO_VIEW))
def test_no_view_paths_answer_404_to_everyone(client, county, path):
    assert client.get(path).status_code == 404
    client.force_login(county.office)
    assert client.get(path).status_code == 404


def test_a_wrong_token_is_refused(client):
    response = client.get("/api/tasks", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
