"""Pages and API: who sees rankings and breakdowns, running and publishing, import with per-row errors."""
import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook

from luoshi.evaluation import services
from luoshi.evaluation.models import IndicatorValue, Run
from luoshi.jobs.models import Job


@pytest.fixture
def june(county, graded):
    run = services.create_run(county.office, "township", "2021-06", as_of=dt.date(2021, 6, 30))
    return services.publish_run(run, county.office)


def get(client, user, url, **kw):
    client.force_login(user)
    return client.get(url, **kw)


def test_ranking_visible_to_all_breakdown_only_own(client, county, june):
    ranking = f"/evaluation/runs/{june.pk}/"
    for user in (county.office, county.head, county.leader, county.clerk_a, county.clerk_commerce):
        page = get(client, user, ranking)
        assert page.status_code == 200 and "西虢镇" in page.content.decode()
    own, other = (f"/evaluation/runs/{june.pk}/units/{u.pk}/" for u in (county.town_a, county.town_b))
    assert get(client, county.clerk_a, own).status_code == 200
    assert get(client, county.clerk_a, other).status_code == 404
    assert get(client, county.clerk_commerce, own).status_code == 404
    assert get(client, county.leader, own).status_code == 404
    for user in (county.office, county.head):
        page = get(client, user, other)
        assert page.status_code == 200 and "督办〔2021〕1号" in page.content.decode()
    assert get(client, county.clerk_a, f"/evaluation/runs/{june.pk}/scores.xlsx").status_code == 404
    assert get(client, county.clerk_a, f"/evaluation/runs/{june.pk}/review.md").status_code == 404
    assert get(client, county.clerk_a, f"/evaluation/runs/{june.pk}/units/{county.town_b.pk}/review.md").status_code == 404
    assert get(client, county.clerk_a, f"/evaluation/runs/{june.pk}/units/{county.town_a.pk}/review.md").status_code == 200
    assert get(client, county.clerk_a, f"/evaluation/runs/{june.pk}/bulletin.docx").status_code == 200
    client.logout()
    assert client.get(ranking).status_code == 302


def test_drafts_only_for_office_and_principal(client, county, graded):
    run = services.create_run(county.office, "township", "2021-06", as_of=dt.date(2021, 6, 30))
    url = f"/evaluation/runs/{run.pk}/"
    assert get(client, county.office, url).status_code == 200
    assert get(client, county.head, url).status_code == 200
    assert get(client, county.clerk_a, url).status_code == 404
    assert get(client, county.clerk_a, f"/evaluation/runs/{run.pk}/bulletin.docx").status_code == 404
    assert "（草稿）" not in get(client, county.clerk_a, "/evaluation/").content.decode()


def test_office_runs_and_publishes_through_pages(client, county, graded, settings, run_jobs):
    settings.LUOSHI_TODAY = "2021-07-15"
    client.force_login(county.clerk_a)
    assert client.post("/evaluation/", {"group": "township", "period": "2021-06", "method": "weighted",
                                        "normalisation": "minmax"}).status_code == 403
    client.force_login(county.office)
    page = client.post("/evaluation/", {"group": "township", "period": "2021-6x", "method": "weighted",
                                        "normalisation": "minmax"})
    assert page.status_code == 400 and "格式不对" in page.content.decode()
    response = client.post("/evaluation/", {"group": "township", "period": "2021-06", "method": "topsis",
                                            "normalisation": "minmax"})
    job = Job.objects.get()  # the worker freezes and scores; the office watches the job's page
    assert response.url == f"/jobs/{job.pk}/" and not Run.objects.exists()
    assert "排队中" in client.get(response.url).content.decode()
    run_jobs()
    run = Run.objects.get()
    assert (run.method, run.scores.count()) == ("topsis", 2)
    status = client.get(f"/jobs/{job.pk}/status.json").json()
    assert status["status"] == "done" and status["result_url"] == f"/evaluation/runs/{run.pk}/"
    assert f'href="/evaluation/runs/{run.pk}/"' in client.get("/evaluation/").content.decode()
    client.post(f"/evaluation/runs/{run.pk}/publish/")
    run.refresh_from_db()
    assert run.is_published
    response = client.post(f"/evaluation/runs/{run.pk}/delete/", follow=True)
    assert "已发布的考核结果不能再修改" in response.content.decode() and Run.objects.exists()
    for url in ("/evaluation/indicators/", "/evaluation/import/", f"/evaluation/runs/{run.pk}/units/{county.town_b.pk}/"):
        assert client.get(url).status_code == 200


def test_api_schema_names_the_runs_status_and_ranking_apart(client, db):
    """Run.Status was published as the "Status" of tasks or notices, the ranking row as the requests' one."""
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    assert components["RunStatus"]["enum"] == Run.Status.values
    assert components["RunOut"]["properties"]["status"]["$ref"].endswith("/RunStatus")
    assert components["RunDetail"]["properties"]["ranking"]["items"]["$ref"].endswith("/RunRankingRow")
    assert "previous_rank" in components["RunRankingRow"]["properties"]


def test_api_ids_out_of_range_are_422_not_500(client, county, june):
    client.force_login(county.office)
    # the unit id reached the database unchecked: SQLite cannot even hold it (OverflowError, a 500)
    response = client.get(f"/api/evaluation/runs/{june.pk}/units/{10**20}")
    assert response.status_code == 422 and response.json()["field"] == "unit_id"
    assert client.get(f"/api/evaluation/runs/{10**20}").json()["field"] == "run_id"
    assert client.get(f"/api/evaluation/runs/{june.pk}/units/{county.town_a.pk}").status_code == 200


def test_api(client, county, june, run_jobs):
    client.force_login(county.clerk_a)
    data = client.get(f"/api/evaluation/runs/{june.pk}").json()
    assert [(r["unit"], r["rank"]) for r in data["ranking"]] == [("河阳镇", 1), ("西虢镇", 2)]
    own = client.get(f"/api/evaluation/runs/{june.pk}/units/{county.town_a.pk}").json()
    assert sum(line["contribution"] for line in own["lines"]) == pytest.approx(own["score"])
    assert client.get(f"/api/evaluation/runs/{june.pk}/units/{county.town_b.pk}").status_code == 404
    assert client.post("/api/evaluation/runs", json.dumps({"group": "township", "period": "2021-06"}),
                       content_type="application/json").status_code == 403
    client.force_login(county.office)
    other = client.get(f"/api/evaluation/runs/{june.pk}/units/{county.town_b.pk}").json()
    tasks = next(line for line in other["lines"] if line["code"] == "tasks")
    assert tasks["records"][0]["url"] == f"/tasks/{graded_late(county).pk}/"
    runs = Run.objects.count()
    accepted = client.post("/api/evaluation/runs", json.dumps({"group": "township", "period": "2021Q2"}),
                           content_type="application/json")
    # the worker freezes and scores: the request only queues the job
    job = Job.objects.get()
    assert accepted.status_code == 202 and Run.objects.count() == runs
    assert accepted.json() | {"created_at": None} == {
        "id": job.pk, "kind": "evaluation_run", "title": job.title, "status": "queued", "done": 0, "total": 0,
        "percent": 0, "step": "", "url": f"/api/jobs/{job.pk}", "created_at": None, "started_at": None,
        "finished_at": None}
    assert accepted["Location"] == f"/api/jobs/{job.pk}"
    assert job.params == {"group": "township", "period": "2021Q2", "method": "weighted",
                          "normalisation": "minmax", "as_of": "2021-06-30"}
    queued = client.get(f"/api/jobs/{job.pk}").json()
    assert (queued["status"], queued["result"], queued["ahead"]) == ("queued", None, 0)

    run_jobs()
    done = client.get(accepted.json()["url"]).json()
    run = Run.objects.latest("id")
    assert (done["status"], done["percent"], done["error"], done["errors"]) == ("done", 100, "", [])
    assert done["result"] == {"page_url": f"/evaluation/runs/{run.pk}/", "url": f"/api/evaluation/runs/{run.pk}",
                              "run_id": run.pk}
    created = client.get(done["result"]["url"])
    assert created.status_code == 200
    assert (created.json()["id"], created.json()["period"], created.json()["status"]) == (run.pk, "2021Q2", "draft")
    assert [r["unit"] for r in created.json()["ranking"]] == ["河阳镇", "西虢镇"]

    # refused at once, with nothing queued: the same 422 as before
    for period, reason in (("21", "格式不对"), ("1999", "2000"), ("2099Q1", "尚未开始")):
        bad = client.post("/api/evaluation/runs", json.dumps({"group": "township", "period": period}),
                          content_type="application/json")
        assert bad.status_code == 422 and bad.json()["field"] == "period" and reason in bad.json()["detail"], (
            period, bad.json())
    assert Job.objects.count() == 1
    published = client.post(f"/api/evaluation/runs/{run.pk}/publish")
    assert published.json()["status"] == "published"
    again = client.post(f"/api/evaluation/runs/{run.pk}/publish")
    assert again.status_code == 422


def test_a_run_that_fails_on_the_worker_says_why_through_the_api(client, county, indicators, run_jobs):
    client.force_login(county.office)
    accepted = client.post("/api/evaluation/runs", json.dumps({"group": "township", "period": "2021"}),
                           content_type="application/json")
    assert accepted.status_code == 202
    # the indicators were switched off between the request and the worker: the job fails with the rule's message
    for indicator in indicators.values():
        indicator.active = False
        indicator.save()
    run_jobs()
    failed = client.get(accepted.json()["url"])
    assert failed.status_code == 200
    assert (failed.json()["status"], failed.json()["error"], failed.json()["result"]) == (
        "failed", "该考核对象还没有启用的计分指标", None)
    assert not Run.objects.exists()


def graded_late(county):
    from luoshi.ledger.models import Task
    return Task.objects.get(lead_unit=county.town_b)


def _sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "考核数据"
    ws.append(["单位", "指标", "数值", "备注"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "data.xlsx"
    return out


def test_import_per_row_errors_and_nothing_half_imported(client, county, indicators):
    client.force_login(county.office)
    bad = _sheet([["河阳镇", "省级表彰", 2], ["无此镇", "省级表彰", 1], ["西虢镇", "省级表彰", "两项"],
                  ["商务局", "省级表彰", 1], ["河阳镇", "honours", 3], ["西虢镇", "不存在", 1]])
    page = client.post("/evaluation/import/", {"period": "2021-06", "file": bad})
    text = page.content.decode()
    assert page.status_code == 400
    for expected in ("第 3 行", "单位“无此镇”不存在", "第 4 行", "“两项”不是数字", "商务局不在该指标的考核对象中",
                     "与第2行重复", "没有名为“不存在”的导入指标"):
        assert expected in text
    assert not IndicatorValue.objects.exists()
    good = _sheet([["河阳镇", "省级表彰", 2, "省文明村镇"], ["西虢镇", "honours", 1]])
    response = client.post("/evaluation/import/", {"period": "2021-06", "file": good})
    assert response.status_code == 302
    assert dict(IndicatorValue.objects.values_list("unit__name", "value")) == {"河阳镇": 2, "西虢镇": 1}
    client.force_login(county.clerk_a)
    assert client.post("/evaluation/import/", {"period": "2021-06", "file": _sheet([])}).status_code == 403


def test_self_assessment_page(client, county, indicators):
    client.force_login(county.clerk_a)
    form = {"period": "2021-06", **{f"answer{i}": f"答复{i}" for i in range(1, 6)},
            **{f"score{i}": 18 for i in range(1, 6)}}
    assert client.post("/evaluation/self-assessment/", form).status_code == 302
    page = client.get("/evaluation/self-assessment/?period=2021-06").content.decode()
    assert "自评分 90" in page and "问一问自己的业务能力专不专" in page
    client.force_login(county.office)
    assert "河阳镇：自评分 90" in client.get("/evaluation/self-assessment/?period=2021-06").content.decode()
    client.force_login(county.leader)
    assert client.get("/evaluation/self-assessment/").status_code == 404


def test_ratings_page(client, county, indicators):
    url = f"/evaluation/ratings/{indicators['rating'].pk}/"
    client.force_login(county.clerk_a)
    assert client.get(url).status_code == 403
    client.force_login(county.office)
    bad = client.post(url, {"period": "2021-06", f"unit-{county.town_a.pk}": "120"})
    assert bad.status_code == 400 and "0–100" in bad.content.decode()
    assert client.post(url, {"period": "2021-06", f"unit-{county.town_a.pk}": "95"}).status_code == 302
    assert IndicatorValue.objects.get().value == 95


@pytest.mark.parametrize("period", ["%00", "0001", "9999Q4", "1999-12", "garbage"])
def test_period_pages_show_this_year_for_a_period_they_cannot_take(client, county, indicators, settings, period):
    """?period=%00 was a 500 on PostgreSQL (a NUL reached the query) and ?period=0001 showed year 1: the pages
    take the periods check_period takes, and show this year for any other."""
    settings.LUOSHI_TODAY = "2021-07-15"
    ratings = f"/evaluation/ratings/{indicators['rating'].pk}/"
    own = "/evaluation/self-assessment/"
    for user, url in ((county.office, own), (county.clerk_a, own), (county.office, ratings)):
        response = get(client, user, f"{url}?period={period}")
        context = response.context
        shown = context["period"] if "period" in context else context["form"]["period"].value()
        assert response.status_code == 200 and shown == "2021", (user.username, url)


def test_ratings_of_a_period_outside_2000_2100_are_refused_on_the_page(client, county, indicators):
    url = f"/evaluation/ratings/{indicators['rating'].pk}/"
    client.force_login(county.office)
    year_one = client.post(url, {"period": "0001", f"unit-{county.town_a.pk}": "95"})
    assert year_one.status_code == 400 and year_one.context["form"].errors["period"] == ["考核期间应在 2000–2100 年之间"]
    nul = client.post(url, {"period": "\x00", f"unit-{county.town_a.pk}": "95"})  # was looked up raw: a 500 on PG
    assert nul.status_code == 400 and nul.context["form"].errors["period"]
    assert not IndicatorValue.objects.exists()


def test_refreshing_a_draft_runs_on_the_worker(client, county, june, run_jobs, settings):
    settings.LUOSHI_TODAY = "2021-07-15"
    client.force_login(county.office)
    response = client.post(f"/evaluation/runs/{june.pk}/refresh/", follow=True)  # published: refused at once
    assert "已发布的考核结果不能再修改" in response.content.decode() and not Job.objects.exists()
    draft = services.create_run(county.office, "township", "2021", as_of=dt.date(2021, 6, 30))
    values = set(draft.values.values_list("pk", flat=True))
    response = client.post(f"/evaluation/runs/{draft.pk}/refresh/")
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/" and (job.kind, job.title) == ("evaluation_run", draft.title)
    run_jobs()
    job.refresh_from_db()
    draft.refresh_from_db()
    assert (job.status, job.result_url) == ("done", f"/evaluation/runs/{draft.pk}/")
    assert draft.as_of == dt.date(2021, 7, 15) and draft.scores.count() == 2
    assert not values & set(draft.values.values_list("pk", flat=True))


def test_a_big_statistics_import_runs_on_the_worker(client, county, indicators, run_jobs, settings):
    settings.LUOSHI_INLINE_IMPORT_BYTES = 0
    client.force_login(county.office)
    assert client.post("/evaluation/import/", {"period": "2021-6x", "file": _sheet([])}).status_code == 400
    assert not Job.objects.exists()  # a wrong period is said at once, not after the queue
    response = client.post("/evaluation/import/", {"period": "2021-06", "file": _sheet([["河阳镇", "省级表彰", 2]])})
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/" and job.params == {"period": "2021-06"}
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.summary) == ("done", "已导入 1 条考核数据（2021-06）")
    assert IndicatorValue.objects.get().value == 2
