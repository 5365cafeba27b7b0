"""Open311 GeoReport v2 through the real client (the `georeport` package) against a live server, and plain HTTP
for what the client does not cover (discovery, POST, tokens, errors), in JSON and XML."""
import json
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree as ET

import pytest
from georeport import GeoReport

from luoshi.org.models import ApiToken
from luoshi.service import services
from luoshi.service.models import ServiceRequest

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(svc, live_server, settings):
    settings.LUOSHI_OPEN311_JURISDICTION = "mengzhou.example"
    svc.base = live_server.url + "/open311/v2"
    svc.key = ApiToken.objects.create(user=svc.office, name="open311").key
    return svc


def http(method, url, data=None):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method=method)) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def post_request(world, fmt="json", **extra):
    data = {"api_key": world.key, "service_code": "roads", "jurisdiction_id": "mengzhou.example",
            "address_string": "河阳镇人民路12号", "description": "人民路有个大坑，电话13812345678",
            "first_name": "三", "last_name": "张", "phone": PHONE, "attribute[kind]": "pothole", **extra}
    return http("POST", f"{world.base}/requests.{fmt}", data)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_round_trip_through_the_georeport_client(world, fmt):
    client = GeoReport(world.base, jurisdiction="mengzhou.example", output_format=fmt)
    services_list = client.get_service_list()
    if fmt == "xml":
        assert {s["service_code"] for s in services_list} == {"roads", "water", "business"}
        roads = next(s for s in services_list if s["service_code"] == "roads")
        assert roads["metadata"] == "true" and roads["service_name"] == "道路设施"
    else:
        assert [s["service_code"] for s in services_list] == ["business", "roads", "water"]
        assert next(s for s in services_list if s["service_code"] == "roads")["metadata"] is True

    definition = client.get_service_definition("roads")
    attribute = definition["attributes"]["attribute"] if fmt == "xml" else definition["attributes"][0]
    assert attribute["code"] == "kind" and attribute["datatype"] == "singlevaluelist"
    values = attribute["values"]["value"] if fmt == "xml" else attribute["values"]
    assert [v["key"] for v in values] == ["pothole", "cover"]

    status, _, body = post_request(world, fmt)
    assert status == 201
    number = (json.loads(body)[0] if fmt == "json" else
              {e.tag: e.text for e in ET.fromstring(body).find("request")})["service_request_id"]
    req = ServiceRequest.objects.get(number=number)
    assert req.channel == ServiceRequest.Channel.OPEN311 and req.contact_name == "张三"
    assert req.received_by == world.office and req.attributes == {"kind": "pothole"}

    found = client.get_service_request(number)
    assert found["service_request_id"] == number and found["status"] == "open"
    assert found["service_code"] == "roads" and "13812345678" not in str(found)
    assert found["description"] == "人民路有个大坑，电话138****5678"

    services.dispatch(req, world.office, world.town_a)
    listed = client.get_service_requests(service_code="roads", status="open")
    one = listed if fmt == "xml" else listed[0]  # xmltodict gives a dict for a single element
    assert one["service_request_id"] == number and one["agency_responsible"] == "河阳镇"
    if fmt == "json":
        assert client.get_service_requests(status="closed") == []
    else:  # the client cannot read an empty XML list (xmltodict gives None): plain HTTP
        _, _, body = http("GET", f"{world.base}/requests.xml?status=closed")
        assert ET.fromstring(body).tag == "service_requests" and len(ET.fromstring(body)) == 0


def test_xml_documents_parse_with_etree(world):
    _, content_type, body = http("GET", f"{world.base}/discovery.xml")
    assert content_type.startswith("text/xml")
    root = ET.fromstring(body)
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/specification").text == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    status, _, body = post_request(world, "xml")
    request = ET.fromstring(body).find("request")
    number, token = request.find("service_request_id").text, request.find("token").text
    _, _, body = http("GET", f"{world.base}/requests/{number}.xml")
    element = ET.fromstring(body).find("request")
    assert element.find("status").text == "open" and element.find("address").text == "河阳镇人民路12号"
    assert [child.tag for child in element if child.tag in ("phone", "contact_phone", "first_name")] == []
    assert PHONE.encode() not in body and "张三".encode() not in body
    _, _, body = http("GET", f"{world.base}/tokens/{token}.xml")
    assert ET.fromstring(body).find("request/service_request_id").text == number


def test_json_discovery_tokens_and_filters(world):
    status, content_type, body = http("GET", f"{world.base}/discovery.json")
    assert status == 200 and content_type.startswith("application/json")
    assert json.loads(body)["endpoints"][0]["url"] == world.base
    first = json.loads(post_request(world)[2])[0]
    second = json.loads(post_request(world, service_code="water", description="停水了", **{"attribute[kind]": ""})[2])[0]
    _, _, body = http("GET", f"{world.base}/tokens/{first['token']}.json")
    assert json.loads(body) == [{"service_request_id": first["service_request_id"], "token": first["token"]}]
    ids = f"{first['service_request_id']},{second['service_request_id']}"
    _, _, body = http("GET", f"{world.base}/requests.json?service_request_id={ids}")
    assert {r["service_request_id"] for r in json.loads(body)} == set(ids.split(","))
    _, _, body = http("GET", f"{world.base}/requests.json?service_code=water")
    assert [r["service_request_id"] for r in json.loads(body)] == [second["service_request_id"]]
    _, _, body = http("GET", f"{world.base}/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z")
    assert json.loads(body) == []


@pytest.mark.parametrize("method, path, data, status, words", [
    ("POST", "requests.json", {"service_code": "roads"}, 403, "api_key"),
    ("POST", "requests.xml", {"api_key": "wrong", "service_code": "roads"}, 403, "api_key"),
    ("POST", "requests.json", {"api_key": "{key}", "service_code": "nope", "address_string": "x"}, 404, "nope"),
    ("POST", "requests.json", {"api_key": "{key}", "service_code": "roads"}, 400, "location"),
    ("POST", "requests.json", {"api_key": "{key}", "service_code": "roads", "address_string": "河阳镇",
                               "description": "坑", "phone": "1", "attribute[kind]": "pothole"}, 400, "电话"),
    ("POST", "requests.json", {"api_key": "{key}", "service_code": "roads", "address_string": "河阳镇",
                               "description": "坑", "phone": PHONE}, 400, "问题类型"),
    ("GET", "services/nope.json", None, 404, "nope"),
    ("GET", "requests/2021-999999.xml", None, 404, "2021-999999"),
    ("GET", "tokens/not-a-token.json", None, 404, "token"),
    ("GET", "requests.json?status=pending", None, 400, "status"),
    ("GET", "requests.json?start_date=2021-01-01T00:00:00Z&end_date=2021-06-01T00:00:00Z", None, 400, "90 days"),
    ("GET", "requests.json?start_date=yesterday", None, 400, "w3c"),
    ("GET", "services.json?jurisdiction_id=elsewhere", None, 404, "jurisdiction"),
    ("GET", "services.csv", None, 404, "format"),
    # NUL reached PostgreSQL, which refuses it in text and in a query: every one of these was a 500
    ("POST", "requests.json", {"api_key": "{key}", "service_code": "roads", "address_string": "河阳镇",
                               "description": "坑\x00坑", "phone": PHONE, "attribute[kind]": "pothole"}, 400, "description"),
    ("POST", "requests.xml", {"api_key": "{key}\x00", "service_code": "roads"}, 400, "api_key"),
    ("GET", "requests.json?service_request_id=2021-%00", None, 400, "service_request_id"),
    ("GET", "requests.xml?service_code=roads%00", None, 400, "service_code"),
])
def test_errors_as_the_specification_says(world, method, path, data, status, words):
    if data:
        data = {k: v.replace("{key}", world.key) for k, v in data.items()}
    got, content_type, body = http(method, f"{world.base}/{path}", data)
    assert got == status
    if path.split("?")[0].endswith(".xml"):
        error = ET.fromstring(body).find("error")
        code, description = error.find("code").text, error.find("description").text
    else:
        [error] = json.loads(body)
        code, description = str(error["code"]), error["description"]
    assert code == str(status) and words in description
