"""Pages and API: the phone shows in clear only to the handling unit and the office, everywhere else masked
(pages, API, exports, Open311, another request's tracking page); tracking isolation; rate limits; scope."""
import datetime as dt
import io
import json
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from luoshi.org.models import ApiToken
from luoshi.service import services
from luoshi.service.models import OfficerVisit, RequestEvent, ServiceRequest

from .conftest import PHONE

MASKED = "138****5678"


@pytest.fixture
def world(svc):
    """A request of 中原内配 dispatched to 河阳镇 (unit A), its phone also typed into the description."""
    svc.req = svc.submit(description="厂区门口道路塌陷，请回电13812345678", enterprise=svc.firm)
    services.dispatch(svc.req, svc.office, svc.town_a)
    return svc


def test_api_schema_names_the_requests_status_and_bodies_apart(db):
    """ServiceRequest.Status was published as the one "Status" of every model, and the reply, return and contact
    bodies under the ledger's names (a reply documented as {"reply"} where the API reads {"text"})."""
    schema = Client().get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    assert components["RequestStatus"]["enum"] == ServiceRequest.Status.values
    assert components["RequestOut"]["properties"]["status"]["$ref"].endswith("/RequestStatus")

    def body(action):
        operation = schema["paths"][f"/api/service/requests/{{request_id}}/{action}"]["post"]
        return components[operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/")[-1]]

    assert body("reply")["required"] == ["text"]
    assert body("return")["required"] == ["reason"]
    assert set(body("contact")["properties"]) == {"note"}
    ranking = schema["paths"]["/api/service/rankings"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ranking["schema"]["items"]["$ref"].endswith("/UnitRatesRow")


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "2101-01"])
def test_api_ranking_months_out_of_range_are_422_not_500(svc, month):
    # the month's day and time arithmetic overflowed at the ends of the calendar
    response = api(svc.office, "get", f"rankings?month={month}")
    assert response.status_code == 422
    assert response.json() == {"detail": "月份应在 2000–2100 年之间", "field": "month"}


def test_api_ranking_malformed_month_is_422_naming_it(svc):
    response = api(svc.office, "get", "rankings?month=2021-13")
    assert response.status_code == 422
    assert response.json() == {"detail": "月份“2021-13”格式不对，应为 2021-06", "field": "month"}


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "2101-01", "2021-13", "garbage", "%00"])
def test_ranking_page_and_export_show_this_month_for_a_month_the_api_refuses(svc, settings, month):
    """?month=9999-12 was a 500 (the next month's date overflowed), ?month=0001-01 too (the ranking's own day
    arithmetic): the page and its export take the API's months (month_of), and show this month for any other."""
    settings.LUOSHI_TODAY = "2021-03-15"
    shown = page(svc.office, f"/service/rankings/?month={month}")
    assert shown.status_code == 200 and shown.context["month"] == dt.date(2021, 3, 1)
    export = page(svc.office, f"/service/export/rankings.xlsx?month={month}")
    assert export.status_code == 200 and export["Content-Disposition"].endswith("2021-03.xlsx")


def page(user, url, method="get", **data):
    client = Client()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url, data)


def api(user, method, path, body=None):
    headers = {"HTTP_AUTHORIZATION": "Bearer " + ApiToken.objects.get_or_create(user=user, name="t")[0].key}
    if body is None:
        return getattr(Client(), method)("/api/service/" + path, **headers)
    return getattr(Client(), method)("/api/service/" + path, json.dumps(body), content_type="application/json",
                                     **headers)


@pytest.mark.parametrize("role, clear", [("office", True), ("clerk_a", True), ("head_a", True),
                                         ("head", False), ("leader", False)])
def test_phone_on_detail_page_and_api(world, role, clear):
    user = getattr(world, role)
    html = page(user, f"/service/requests/{world.req.pk}/").content.decode()
    data = api(user, "get", f"requests/{world.req.pk}").json()
    if clear:
        assert PHONE in html and "张三" in html and data["contact_phone"] == PHONE and not data["contact_masked"]
    else:  # leaders, and the officer (李副县长) of the enterprise: masked, also inside the description
        assert PHONE not in html and MASKED in html and "张*" in html
        assert data["contact_phone"] == MASKED and data["contact_name"] == "张*" and PHONE not in json.dumps(data)
    listed = api(user, "get", "requests").json()["items"]
    assert (PHONE in json.dumps(listed, ensure_ascii=False)) is clear


def test_officer_page_masks_and_lists_enterprises_requests_visits(world):
    OfficerVisit.objects.create(officer=world.officer, enterprise=world.firm, date="2021-03-01", notes="了解用工需求")
    html = page(world.leader, f"/service/officers/{world.officer.pk}/").content.decode()
    assert "中原内配" in html and world.req.number in html and "了解用工需求" in html
    assert PHONE not in html and MASKED in html
    response = page(world.leader, f"/service/officers/{world.officer.pk}/visits/", "post",
                    enterprise=world.firm.pk, date="2021-03-05", notes="协调道路维修")
    assert response.status_code == 302 and world.officer.visits.count() == 2
    assert page(world.clerk_b, f"/service/officers/{world.officer.pk}/").status_code == 404


def test_exports_are_masked_even_for_the_office(world):
    for user in (world.office, world.clerk_a):
        response = page(user, "/service/export/requests.xlsx")
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        cells = [str(c.value) for row in sheet.iter_rows() for c in row]
        assert world.req.number in cells and MASKED in cells and "张*" in cells
        assert not any(PHONE in c for c in cells)


def strip(response, *typed):
    """The page without what legitimately differs: what was typed (echoed in the form) and the CSRF tokens."""
    html = response.content.decode()
    for text in typed:
        html = html.replace(text, "T")
    return re.sub(r'value="[\w-]{32,}"', "", html)


def test_tracking_shows_only_that_request_and_masks(world):
    other = world.submit(description="西虢镇噪音", address="西虢镇", phone="13900009999", name="李四")
    html = page(None, "/service/track/", "post", number=other.number, digits="9999").content.decode()
    assert other.number in html and "139****9999" in html and "李*" in html
    assert world.req.number not in html and PHONE not in html and MASKED not in html and "13900009999" not in html
    wrong_digits = page(None, "/service/track/", "post", number=world.req.number, digits="9999")
    wrong_number = page(None, "/service/track/", "post", number="2021-999999", digits="5678")
    assert wrong_digits.status_code == wrong_number.status_code == 404
    assert strip(wrong_digits, world.req.number, "9999") == strip(wrong_number, "2021-999999", "5678")
    assert world.req.number not in page(None, "/service/track/", "post", number="2021", digits="5678").content.decode()


def test_tracking_rates_and_reopens_once(world):
    req = world.req
    services.sign(req, world.clerk_a)
    services.reply(req, world.clerk_a, "已修复路面")
    services.conclude(req, world.clerk_a, resolved=True)
    html = page(None, "/service/track/", "post", number=req.number, digits="5678").content.decode()
    assert "已修复路面" in html and 'name="rating"' in html
    page(None, "/service/track/", "post", number=req.number, digits="5678", rating="unsatisfied")
    req.refresh_from_db()
    assert req.status == ServiceRequest.Status.SIGNED and req.events.filter(kind="reopened").count() == 1


def test_public_form_files_a_request_and_is_rate_limited(svc, settings):
    settings.LUOSHI_SERVICE_RATE_LIMITS = {"submit": (2, 600), "track": (3, 600)}
    form = {"category": "water", "description": "停水两天了", "address": "西虢镇新村", "contact_name": "王五",
            "contact_phone": "13700001234"}
    for _ in range(2):
        response = page(None, "/service/submit/", "post", **form)
        assert response.status_code == 200 and "已受理" in response.content.decode()
    assert page(None, "/service/submit/", "post", **form).status_code == 429
    assert ServiceRequest.objects.filter(channel="web").count() == 2
    number = ServiceRequest.objects.first().number
    for _ in range(3):
        page(None, "/service/track/", "post", number=number, digits="0000")
    assert page(None, "/service/track/", "post", number=number, digits="1234").status_code == 429
    other_ip = Client(REMOTE_ADDR="10.0.0.9").post("/service/track/", {"number": number, "digits": "1234"})
    assert other_ip.status_code == 200


def test_another_townships_clerk_gets_404_and_changes_nothing(world):
    before = (ServiceRequest.objects.get(pk=world.req.pk).status, RequestEvent.objects.count())
    pk = world.req.pk
    assert page(world.clerk_b, f"/service/requests/{pk}/").status_code == 404
    for action in ("sign", "return", "reply", "resolve", "extension", "dispatch"):
        assert page(world.clerk_b, f"/service/requests/{pk}/{action}/", "post", reason="x", text="x").status_code == 404
        assert api(world.clerk_b, "post", f"requests/{pk}/{action}", {"reason": "x", "text": "x", "resolved": True,
                                                                      "hours": 5}).status_code == 404
    assert api(world.clerk_b, "get", f"requests/{pk}").status_code == 404
    assert api(world.clerk_b, "get", "requests").json()["count"] == 0
    assert (ServiceRequest.objects.get(pk=pk).status, RequestEvent.objects.count()) == before


def test_api_handles_a_request_end_to_end(svc):
    created = api(svc.clerk_commerce, "post", "requests", {
        "category": "business", "description": "企业用电增容审批慢", "address": "河阳镇产业园", "contact_name": "赵六",
        "contact_phone": "13600001111", "enterprise": svc.firm.pk})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["suggested_unit"]["name"] == "商务局"
    assert api(svc.clerk_commerce, "post", f"requests/{pk}/dispatch", {}).status_code == 404  # not yet theirs
    assert api(svc.office, "post", f"requests/{pk}/dispatch", {}).json()["status"] == "dispatched"
    assert api(svc.clerk_commerce, "post", f"requests/{pk}/sign").json()["status"] == "signed"
    ext = api(svc.clerk_commerce, "post", f"requests/{pk}/extension", {"hours": 48, "reason": "需供电公司配合"})
    assert ext.json()["extension_pending"] is True
    decided = api(svc.office, "post", f"requests/{pk}/extension/decision", {"approve": True}).json()
    assert decided["extension_pending"] is False
    assert api(svc.clerk_commerce, "post", f"requests/{pk}/reply", {"text": "已协调"}).json()["status"] == "replied"
    assert api(svc.clerk_commerce, "post", f"requests/{pk}/resolve", {"resolved": True}).json()["status"] == "resolved"
    rated = api(svc.office, "post", f"requests/{pk}/rate", {"rating": "satisfied"}).json()
    assert rated["rating"] == "satisfied"
    assert [e["kind"] for e in rated["events"]] == ["submitted", "dispatched", "signed", "extension_requested",
                                                    "extension_approved", "replied", "concluded", "rated"]
    bad = api(svc.clerk_commerce, "post", f"requests/{pk}/return", {"reason": "x"})
    assert bad.status_code == 422 and "不能退单" in bad.json()["detail"]
    assert api(svc.office, "get", "categories").json()[0]["service_code"] == "business"
    assert api(svc.office, "get", "enterprises").json()["items"][0]["officer"] == "李副县长"
    ranking = api(svc.office, "get", "rankings?month=2099-01&kind=department").json()
    assert {r["unit"]["name"] for r in ranking} == {"商务局", "发展改革委"}


@pytest.mark.parametrize("role, url, status", [
    ("anon", "/service/submit/", 200), ("anon", "/service/track/", 200), ("anon", "/service/board/", 302),
    ("office", "/service/board/", 200), ("office", "/service/intake/", 200), ("office", "/service/requests/", 200),
    ("office", "/service/rankings/?month=2021-03", 200), ("office", "/service/export/rankings.xlsx?month=2021-03", 200),
    ("office", "/service/officers/", 200), ("clerk_a", "/service/inbox/", 200), ("clerk_a", "/service/board/", 403),
    ("clerk_a", "/service/intake/", 403), ("leader", "/service/rankings/", 200), ("leader", "/service/inbox/", 403),
])
def test_page_access(world, role, url, status):
    response = page(getattr(world, role, None), url)
    assert response.status_code == status


def test_board_warns_when_duplicate_checks_wait_for_a_worker(svc, clock):
    """An API intake waits for the worker's duplicate check; still waiting a minute later, the board says the
    worker may not be running. Once checked, the warning goes."""
    svc.submit(channel=ServiceRequest.Channel.API)
    assert "仍未查重" not in page(svc.office, "/service/board/").content.decode()
    clock.advance(minutes=2)
    assert "1 件接口报送的诉求超过1分钟仍未查重" in page(svc.office, "/service/board/").content.decode()
    services.check_pending_duplicates()
    assert "仍未查重" not in page(svc.office, "/service/board/").content.decode()


def test_inbox_and_board_show_countdowns(world):
    html = page(world.clerk_a, "/service/inbox/").content.decode()
    assert world.req.number in html and "签收剩余23小时" in html and PHONE in html
    fresh = world.submit(description="西虢镇路灯坏了", address="西虢镇")
    html = page(world.office, "/service/board/").content.decode()
    assert fresh.number in html and "属地：地址含“西虢”" in html
    page(world.office, f"/service/requests/{fresh.pk}/dispatch/", "post", unit=world.town_b.pk)
    assert ServiceRequest.objects.get(pk=fresh.pk).unit == world.town_b
