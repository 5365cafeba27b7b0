"""The session engine (settings.SESSION_ENGINE): Django's database sessions, taking only cookies that can be a
session key.

Django makes every key 32 characters of lowercase letters and digits but looks up any cookie of 8 characters or
more: one with a NUL (`sessionid=\\x00…`, or the quoted "\\000…") reached PostgreSQL, which refuses NUL in a query,
and every page and the API were a 500. Any other key is no session: the visitor is anonymous with a new empty
session, and the bad cookie is dropped as Django drops an empty session's.
"""
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

KEY_LENGTH = 32  # SessionBase._get_new_session_key: get_random_string(32, VALID_KEY_CHARS)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return bool(key) and len(key) == KEY_LENGTH and all(c in VALID_KEY_CHARS for c in key)
