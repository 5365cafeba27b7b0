"""Login throttling: failed sign-ins are counted in Django's cache per username + client IP (and per IP alone,
against one address trying many usernames); past the limit the login page answers 429 with a Chinese message
until the window has passed. A successful sign-in clears its username + IP counter.

The cache must be shared by every app server for the limit to hold across them: REDIS_URL (settings.CACHES).
Limits: settings.LUOSHI_LOGIN_LIMITS = {"user_ip": (failures, seconds), "ip": (failures, seconds)}.
Used by the login page and the admin's login (luoshi/urls.py); API tokens are 160-bit random keys, not guessable.
"""
import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template import engines
from django.utils.translation import gettext



def client_ip(request):
    """The client's address. Behind nginx every request comes from the proxy, so when REMOTE_ADDR is one of
    settings.LUOSHI_TRUSTED_PROXIES the address the proxy appended to X-Forwarded-For (the last entry, which a
    client cannot forge) is used instead; a client's own X-Forwarded-For is never trusted otherwise."""
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in getattr(settings, "LUOSHI_TRUSTED_PROXIES", ()):
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return remote

DEFAULT_LIMITS = {"user_ip": (5, 900), "ip": (50, 900)}


def limits():
    return {**DEFAULT_LIMITS, **getattr(settings, "LUOSHI_LOGIN_LIMITS", {})}


def _keys(request, username):
    ip = client_ip(request) if request is not None else ""
    who = hashlib.sha256(f"{(username or '').strip().lower()}\0{ip}".encode()).hexdigest()[:32]
    return {"user_ip": f"luoshi:login:u:{who}", "ip": f"luoshi:login:ip:{ip}"}


def locked_for(request, username):
    """Seconds of the window when this username + IP (or this IP) is locked out, else 0."""
    lim = limits()
    for kind, key in _keys(request, username).items():
        if (cache.get(key) or 0) >= lim[kind][0]:
            return lim[kind][1]
    return 0


def record_failure(request, username):
    lim = limits()
    for kind, key in _keys(request, username).items():
        if not cache.add(key, 1, lim[kind][1]):
            try:
                cache.incr(key)
            except ValueError:  # expired in between
                cache.add(key, 1, lim[kind][1])


def clear(request, username):
    cache.delete(_keys(request, username)["user_ip"])


class Locked(Exception):
    def __init__(self, seconds):
        self.seconds = seconds


class ThrottledMixin:
    def clean(self):
        username = self.data.get("username", "")
        seconds = locked_for(self.request, username)
        if seconds:
            raise Locked(seconds)
        try:
            cleaned = super().clean()
        except ValidationError:  # wrong password, unknown user, inactive account
            record_failure(self.request, username)
            raise
        clear(self.request, username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledMixin, AdminAuthenticationForm):
    pass


LOCKED_PAGE = """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}<section class="card narrow"><h1>{{ title }}</h1>
<p class="error" role="alert">{{ message }}</p><p><a href="{{ login_url }}">{{ back }}</a></p></section>{% endblock %}"""


def locked_response(request, seconds):
    minutes = max(1, seconds // 60)
    context = {"title": gettext("登录已暂时锁定"),
               "message": gettext("登录失败次数过多，为保护账号安全，请 %(minutes)d 分钟后再试；"
                                  "忘记密码请联系督查室重置。") % {"minutes": minutes},
               "back": gettext("返回登录页"), "login_url": request.path}
    html = engines["django"].from_string(LOCKED_PAGE).render(context, request)
    from django.http import HttpResponse

    response = HttpResponse(html, status=429)
    response["Retry-After"] = str(seconds)
    return response


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except Locked as e:
            return locked_response(request, e.seconds)


def admin_login(view):
    """Wrap admin.site.login so its throttled form's lockout becomes the same 429 page."""
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Locked as e:
            return locked_response(request, e.seconds)
    return wrapped
