"""Security settings: secrets from the environment, check --deploy clean, login throttling, upload limits."""
import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from luoshi.ledger.services import LedgerError

REPO = Path(__file__).resolve().parents[2]


def run_django(args, **env):
    base = {k: v for k, v in os.environ.items()
            if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "LUOSHI_PRODUCTION", "DJANGO_SETTINGS_MODULE",
                         # set by the browser tests in the same worker; a deployment never has it
                         "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_without_secret_key_refuses_to_start():
    done = run_django(["check"], LUOSHI_PRODUCTION="1", ALLOWED_HOSTS="luoshi.example.cn")
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr
    # nor with the development key, or a short one
    done = run_django(["check"], LUOSHI_PRODUCTION="1", ALLOWED_HOSTS="luoshi.example.cn", SECRET_KEY="x" * 10)
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr
    done = run_django(["check"], LUOSHI_PRODUCTION="1", SECRET_KEY=secrets.token_urlsafe(50))
    assert done.returncode != 0 and "ALLOWED_HOSTS" in done.stderr


def test_check_deploy_is_clean_with_production_settings():
    done = run_django(["check", "--deploy", "--fail-level", "WARNING"], LUOSHI_PRODUCTION="1",
                      SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="luoshi.example.cn")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_development_settings_are_not_production(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.X_FRAME_OPTIONS == "DENY"
    assert settings.SESSION_COOKIE_AGE <= 24 * 3600


# --- login throttling -------------------------------------------------------------------------------------

@pytest.fixture
def throttle(settings):
    cache.clear()
    settings.LUOSHI_LOGIN_LIMITS = {"user_ip": (3, 900), "ip": (6, 900)}
    yield
    cache.clear()


def post_login(client, username, password, ip="10.0.0.1", path="/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_locks_a_username_on_an_address_after_failures(client, county, throttle):
    for _ in range(3):
        response = post_login(client, "clerk_a", "wrong")
        assert response.status_code == 200  # the ordinary form error
    response = post_login(client, "clerk_a", "pw-clerk_a")  # even the right password now waits
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    assert int(response["Retry-After"]) == 900
    assert "_auth_user_id" not in client.session
    # the same user from another address, and another user from this one, are not locked
    assert post_login(client, "clerk_a", "pw-clerk_a", ip="10.0.0.2").status_code == 302
    client.logout()
    assert post_login(client, "clerk_b", "pw-clerk_b").status_code == 302


def test_username_case_and_spaces_do_not_reset_the_count(client, county, throttle):
    for name in ["clerk_a", "CLERK_A", " clerk_a "]:
        post_login(client, name, "wrong")
    assert post_login(client, "clerk_a", "pw-clerk_a").status_code == 429


def test_success_clears_the_count(client, county, throttle):
    post_login(client, "clerk_a", "wrong")
    post_login(client, "clerk_a", "wrong")
    assert post_login(client, "clerk_a", "pw-clerk_a").status_code == 302
    client.logout()
    post_login(client, "clerk_a", "wrong")
    post_login(client, "clerk_a", "wrong")
    assert post_login(client, "clerk_a", "pw-clerk_a").status_code == 302


def test_one_address_trying_many_usernames_is_locked(client, county, throttle):
    for i in range(6):
        post_login(client, f"nobody{i}", "wrong", ip="10.9.9.9")
    assert post_login(client, "clerk_b", "pw-clerk_b", ip="10.9.9.9").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, county, throttle, settings):
    settings.LUOSHI_TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(3):
        client.post("/login/", {"username": "clerk_a", "password": "wrong"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR="forged, 203.0.113.7")
    locked = client.post("/login/", {"username": "clerk_a", "password": "pw-clerk_a"}, REMOTE_ADDR="127.0.0.1",
                         HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert locked.status_code == 429
    other = client.post("/login/", {"username": "clerk_a", "password": "pw-clerk_a"}, REMOTE_ADDR="127.0.0.1",
                        HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 302
    # a client that is not the proxy cannot pick its address
    client.logout()
    for _ in range(3):
        client.post("/login/", {"username": "clerk_b", "password": "wrong"}, REMOTE_ADDR="10.1.1.1",
                    HTTP_X_FORWARDED_FOR=f"{_}.{_}.{_}.{_}")
    assert client.post("/login/", {"username": "clerk_b", "password": "pw-clerk_b"},
                       REMOTE_ADDR="10.1.1.1").status_code == 429


def test_admin_login_is_throttled_too(client, county, throttle):
    for _ in range(3):
        assert post_login(client, "office", "wrong", path="/admin/login/").status_code == 200
    response = post_login(client, "office", "pw-office", path="/admin/login/")
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()


# --- upload limits on every upload path ---------------------------------------------------------------------

def big(name, size):
    return SimpleUploadedFile(name, b"x" * size)


@pytest.fixture
def small_limits(settings):
    settings.LUOSHI_ATTACHMENT_MAX_BYTES = 1000
    settings.LUOSHI_DOCUMENT_MAX_BYTES = 1000


def test_document_upload_too_big_is_a_form_error(client, county, small_limits):
    client.force_login(county.office)
    response = client.post("/documents/upload/", {"file": big("讲话.txt", 5000)})
    assert response.status_code == 200 and "超过上限" in response.content.decode()


def test_progress_report_attachments(county, make_task, small_limits):
    from luoshi.ledger import services

    task = make_task()
    with pytest.raises(LedgerError, match="超过"):
        services.report_progress(task, county.clerk_a, 10, "推进", files=[big("现场.jpg", 5000)])
    with pytest.raises(LedgerError, match="类型不支持"):
        services.report_progress(task, county.clerk_a, 10, "推进", files=[big("脚本.html", 10)])
    assert not task.reports.exists()


def test_progress_report_page_shows_the_limit(client, county, make_task, small_limits):
    task = make_task()
    client.force_login(county.clerk_a)
    response = client.post(f"/tasks/{task.pk}/report/", {"percent": 10, "text": "推进",
                                                          "attachments": [big("现场.jpg", 5000)]})
    assert response.status_code in (200, 302) and not task.reports.exists()


def test_project_photos(county, small_limits):
    from luoshi.projects import services
    from luoshi.projects.models import Project

    project = Project.objects.create(name="测试项目", category="industry", leader=county.leader.person,
                                     lead_unit=county.commerce, total_investment=100, registered_on=dt.date(2021, 1, 1))
    with pytest.raises(LedgerError, match="超过"):
        services.report_month(project, county.office, dt.date(2021, 6, 1), 10, "主体施工",
                              files=[big("工地.jpg", 5000)])
    assert not project.reports.exists()


def test_public_request_attachments(client, db, small_limits):
    from luoshi.service.models import ServiceCategory, ServiceRequest

    category = ServiceCategory.objects.create(service_code="roads", name="道路设施")
    cache.clear()
    response = client.post("/service/submit/", {
        "category": category.service_code, "description": "路面坑洼", "address": "人民路1号", "contact_name": "张三", "contact_phone": "13800000000",
        "attachments": [big("坑.jpg", 5000)]})
    assert response.status_code == 200, response.status_code
    assert "超过" in response.content.decode(), response.context["form"].errors
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("url", ["/ledger/import/", "/projects/import/"])
def test_imports_too_big(client, county, monkeypatch, url):
    from luoshi import sheets

    monkeypatch.setattr(sheets, "MAX_BYTES", 1000)
    client.force_login(county.office)
    response = client.post(url, {"file": big("台账.xlsx", 5000)})
    assert response.status_code == 400 and "超过" in response.content.decode()


def test_number_of_files_in_one_request_is_capped(settings):
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 20
