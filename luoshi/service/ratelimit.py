"""Per-IP limits for the public pages (filing and tracking), counted in Django's cache.

The cache must be shared by every app server for the limit to hold across them (settings.CACHES: Redis or the
database cache); the default local-memory cache limits each process on its own.
Limits: settings.LUOSHI_SERVICE_RATE_LIMITS = {"submit": (count, seconds), "track": (count, seconds)}.
"""
import time

from django.conf import settings
from django.core.cache import cache

# behind nginx, the client the trusted proxy names (the same rule as the login throttle)
from luoshi.org.auth import client_ip

DEFAULT_LIMITS = {"submit": (5, 600), "track": (20, 600)}


def limit_of(action):
    return getattr(settings, "LUOSHI_SERVICE_RATE_LIMITS", {}).get(action, DEFAULT_LIMITS[action])


def allow(request, action):
    """Count one attempt of `action` from the client's IP; False once the window's allowance is used up."""
    count, seconds = limit_of(action)
    key = f"luoshi:rl:{action}:{client_ip(request)}:{int(time.time() // seconds)}"
    if cache.add(key, 1, seconds):
        return count >= 1
    try:
        return cache.incr(key) <= count
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)
        return True
