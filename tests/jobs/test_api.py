"""The jobs API: who sees which job (as on the job pages), a list newest first, a failed import's rows, and a done
job's result."""
import pytest
from django.test import Client

from luoshi.jobs.models import Job
from luoshi.ledger.models import Task
from luoshi.org.models import ApiToken
from tests.jobs.test_jobs import everything_to_the_worker, ledger, start_import  # noqa: F401 (fixture)


def call(user, path):
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = "Bearer " + ApiToken.objects.get_or_create(user=user, name="test")[0].key
    return Client().get("/api/" + path, **headers)


@pytest.fixture
def jobs(county):
    """The office's job, cron's (no starter), and jobs of a clerk and the county head (started when they were in
    the office: a job stays its starter's)."""
    def job(user, title):
        return Job.objects.create(kind=Job.Kind.LEDGER_IMPORT, title=title, started_by=user)

    return {"office": job(county.office, "督查室.xlsx"), "cron": job(None, "提醒"),
            "clerk_a": job(county.clerk_a, "河阳.xlsx"), "head": job(county.head, "县长.xlsx")}


SEES = {"office": {"office", "cron", "clerk_a", "head"}, "head": {"head"}, "leader": set(), "leader2": set(),
        "clerk_a": {"clerk_a"}, "clerk_commerce": set(), "clerk_b": set(), "head_a": set()}


@pytest.mark.parametrize("role", SEES)
def test_each_role_sees_its_own_jobs_and_the_office_all(county, jobs, role):
    user = getattr(county, role)
    listed = call(user, "jobs").json()
    # newest first, as on the pages
    assert [j["id"] for j in listed["items"]] == [jobs[k].pk for k in ("head", "clerk_a", "cron", "office")
                                                  if k in SEES[role]]
    assert listed["count"] == len(SEES[role])
    missing = call(user, f"jobs/{max(j.pk for j in jobs.values()) + 1000}")
    assert missing.status_code == 404
    for key, job in jobs.items():
        response = call(user, f"jobs/{job.pk}")
        if key in SEES[role]:
            assert response.status_code == 200
            assert (response.json()["id"], response.json()["title"]) == (job.pk, job.title)
        else:  # someone else's job: not even its existence is told
            assert (response.status_code, response.content) == (missing.status_code, missing.content)


def test_anonymous_callers_get_401(county, jobs):
    assert call(None, "jobs").status_code == 401
    assert call(None, f"jobs/{jobs['office'].pk}").status_code == 401


def test_the_list_is_paginated(county, jobs):
    first = call(county.office, "jobs?page_size=3").json()
    second = call(county.office, "jobs?page=2&page_size=3").json()
    assert first["count"] == second["count"] == 4
    assert [j["id"] for j in first["items"] + second["items"]] == [jobs[k].pk for k in ("head", "clerk_a", "cron",
                                                                                         "office")]
    assert first["items"][0]["url"] == f"/api/jobs/{jobs['head'].pk}"


def test_a_failed_import_lists_its_rows_through_the_api(client, county, run_jobs):
    job = start_import(client, county, ledger(("修建村道", "河阳镇", "2030-12-31"), ("", "不存在的局", "明年")))
    assert call(county.office, f"jobs/{job.pk}").json()["status"] == "queued"
    run_jobs()
    data = call(county.office, f"jobs/{job.pk}").json()
    assert (data["status"], data["kind"], data["result"]) == ("failed", "ledger_import", None)
    assert data["error"].startswith("“台账.xlsx”有 3 处错误，未导入任何任务")
    assert {"row": 3, "column": "牵头单位", "message": "单位“不存在的局”不存在，请写系统中的单位名称或简称"} in data["errors"]
    assert data["finished_at"] and not Task.objects.exists()


def test_a_done_import_links_its_page_and_has_no_api_result_of_its_own(client, county, run_jobs):
    job = start_import(client, county, ledger(("修建村道", "河阳镇", "2030-12-31")))
    run_jobs()
    data = call(county.office, f"jobs/{job.pk}").json()
    assert (data["status"], data["summary"], data["percent"]) == ("done", "已导入 1 项任务", 100)
    assert data["result"] == {"page_url": "/tasks/", "url": None, "run_id": None}
