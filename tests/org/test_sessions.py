"""The session engine (luoshi.org.sessions): a cookie that cannot be a Django session key is no session."""
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from luoshi.org.sessions import SessionStore

NUL_KEY = "\x00" + "a" * 31  # as long as a real key: Django's own check (8 characters or more) let it through


@pytest.mark.parametrize("cookie", [f"sessionid={NUL_KEY}", "sessionid=abcdefgh\x00ijklmnop",
                                    'sessionid="\\000abcdefghijk"'])  # the quoted form Django unquotes to a NUL
def test_a_session_cookie_with_nul_is_no_session(county, cookie):
    """Every page and the API were a 500 on PostgreSQL: the cookie went into the session query as it came."""
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        login = client.get("/login/", HTTP_COOKIE=cookie)
        home = client.get("/", HTTP_COOKIE=cookie)
        api = client.get("/api/tasks", HTTP_COOKIE=cookie)
    assert login.status_code == 200 and not login.wsgi_request.user.is_authenticated
    assert home.status_code == 302 and home["Location"].startswith("/login/")
    assert api.status_code == 401
    # not even looked up (SQLite did, and found nothing)
    assert not [q["sql"] for q in queries if "django_session" in q["sql"]]


def test_only_keys_django_makes_are_looked_up(db):
    real = SessionStore()
    real["unit"] = 7
    real.save()
    assert SessionStore(real.session_key).load() == {"unit": 7}
    for key in (NUL_KEY, real.session_key.upper(), real.session_key[:-1], real.session_key + "a", "é" * 32):
        store = SessionStore(key)
        assert store.session_key is None and store.get("unit") is None
