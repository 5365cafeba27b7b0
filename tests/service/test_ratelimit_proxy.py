"""The public form's per-IP limit counts clients, not the nginx in front of them."""
from django.test import RequestFactory

from luoshi.service import ratelimit


def test_clients_behind_a_trusted_proxy_are_counted_apart(settings):
    settings.LUOSHI_TRUSTED_PROXIES = ["10.0.0.1"]
    settings.LUOSHI_SERVICE_RATE_LIMITS = {"submit": (1, 600)}
    from django.core.cache import cache

    cache.clear()
    rf = RequestFactory()
    first = rf.post("/service/submit/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    second = rf.post("/service/submit/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert ratelimit.allow(first, "submit") and ratelimit.allow(second, "submit")
    assert not ratelimit.allow(first, "submit")
    # a client's own X-Forwarded-For, not via the proxy, is ignored
    forged = rf.post("/service/submit/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ratelimit.allow(forged, "submit") and not ratelimit.allow(forged, "submit")
