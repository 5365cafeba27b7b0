"""The public request pages and the request page in English; Chinese stays the default."""
from django.test import Client

from .conftest import PHONE


def english(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en"})
    return client


def test_public_form_and_tracking_in_english(svc):
    assert "我要反映问题" in Client().get("/service/submit/").content.decode()
    client = english()
    html = client.get("/service/submit/").content.decode()
    assert "Report a problem" in html and "tracked by its number" in html and "我要反映问题" not in html
    req = svc.submit()
    html = client.post("/service/track/", {"number": req.number, "digits": PHONE[-4:]}).content.decode()
    assert req.number in html and "Category" in html and "Progress" in html and "办理过程" not in html


def test_request_page_in_english(svc):
    req = svc.submit()
    html = english(svc.office).get(f"/service/requests/{req.pk}/").content.decode()
    assert f"Request {req.number}" in html and "Responsible unit" in html and "Dispatch" in html
    assert "承办单位" not in html and "诉求内容" not in html


def test_countdowns_and_messages_in_english(svc):
    req = svc.submit()
    client = english()
    html = client.post("/service/track/", {"number": "X-0", "digits": "0000"}).content.decode()
    assert "Request not found" in html and "未找到该诉求" not in html
    html = english(svc.office).post(f"/service/requests/{req.pk}/dispatch/", {"unit": svc.town_a.pk},
                                    follow=True).content.decode()
    assert "Dispatched" in html and "已派单" not in html
