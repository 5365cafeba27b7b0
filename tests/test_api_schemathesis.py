"""Schemathesis over every operation of the OpenAPI schema of /api/, as each role.

The real Django WSGI app is called in-process (schemathesis' WSGI transport, no mocks) on a county with tasks,
targets, a milestone, a notice, an instruction, a document, projects with a problem and a monthly report, leads,
service requests and evaluation runs. Each generated case (valid and invalid input, 5 per operation) is sent as
every role: anonymous, the office, the county head, a deputy leader, a unit clerk and a unit head; schemathesis'
boundary cases go to one signed-in role each, in turn. Generated ids and names are often swapped for real ones,
so that requests reach real rows and the rules, not only 404s. Each request runs in a savepoint that is rolled
back, so every example starts from the same world and a failure replays exactly; generation is derandomized.

Checked: no 5xx, a declared status code and content type, and a body that matches the declared schema.
"""
import datetime as dt
import itertools

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from luoshi.service import rules
from luoshi.wsgi import application

CONFIG = SchemathesisConfig.from_dict({
    "seed": 20210104,
    "generation": {"deterministic": True, "max-examples": 5},
    # coverage: schemathesis' boundary values (longest strings, largest numbers, every enum value…) that are valid,
    # as those are the ones that reach our code; invalid input is fuzzed (negative mode) in the fuzzing phase.
    # 405s for methods a path does not have are ninja's, not ours.
    "phases": {"coverage": {"unexpected-methods": [], "generation": {"mode": "positive"}}},
})
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["anon", "office", "head", "leader", "clerk_a", "head_a"]
SIGNED_IN = ROLES[1:]
# values that exist in the world below, for string fields that name something
NEXT_YEAR = str(dt.date.today().year + 1)
WORDS = {
    "lead_unit": ["河阳镇", "商务局"], "unit": ["河阳镇", "发展改革委"], "co_units": ["商务局", "西虢镇"],
    "township": ["河阳镇"], "leader": ["李副县长", "赵副县长"], "programme": ["三十工程"], "members": ["河阳专干"],
    "service_officer": ["李副县长"], "contact_phone": ["13812345678"],
    "period": ["2021", "2021Q2", "2021-06"], "currency": ["CNY", "USD"],
    "month": ["2021-06", dt.date.today().strftime("%Y-%m")],
    "deadline": [f"{NEXT_YEAR}-06-30"], "due": [f"{NEXT_YEAR}-03-31"], "reply_due": [f"{NEXT_YEAR}-01-31"],
}


@pytest.fixture
def world(county, make_task, run_jobs):
    """Real rows of every kind the API serves, and their ids by the parameter names the schema uses."""
    from luoshi.evaluation import jobs as evaluation_jobs
    from luoshi.evaluation import services as evaluation
    from luoshi.evaluation.models import Indicator
    from luoshi.jobs.models import Job
    from luoshi.jobs.services import start as start_job
    from luoshi.ledger import services as ledger
    from luoshi.ledger.models import Document
    from luoshi.org.models import ApiToken
    from luoshi.projects import services as projects
    from luoshi.projects.models import Programme, StageItem
    from luoshi.service import services as service
    from luoshi.service.models import Enterprise, RoutingRule, ServiceCategory, ServiceOfficer

    c = county
    task = make_task(co=[c.commerce], targets=[{"text": "引进亿元以上项目**个", "placeholder": True},
                                                {"text": "签约项目**个", "placeholder": True}])
    other = make_task(lead=c.town_b, leader=c.leader2, title="西虢镇的任务")
    ledger.refresh_lights()
    blank, filled = task.targets.all()
    ledger.fill_target(filled, c.clerk_a, "8")
    milestone = ledger.add_milestone(task, c.office, "完成选址", dt.date(2021, 6, 30))
    notice = ledger.issue_notice(task, c.office, "进度滞后")
    instruction = ledger.give_instruction(c.leader, task, "抓紧推进", c.town_a,
                                          timezone.localdate() + dt.timedelta(days=10))
    document = Document.objects.create(title="讲话", text="……", uploaded_by=c.office)

    Programme.objects.create(name="三十工程")
    plan = {"category": "infrastructure", "total_investment": "120000", "annual_investment": "30000",
            "planned_preparation": dt.date(2021, 4, 30), "planned_construction": dt.date(2021, 9, 30),
            "planned_completion": dt.date(2023, 12, 31)}
    project = projects.create_project(c.office, name="黄河大桥", lead_unit=c.town_a, leader=c.leader.person,
                                      members=[c.clerk_commerce.person], programme="三十工程",
                                      on=dt.date(2021, 3, 1), **plan)
    other_project = projects.create_project(c.office, name="S237", lead_unit=c.town_b, leader=c.leader2.person,
                                            on=dt.date(2021, 3, 1), **plan)
    problem = projects.raise_problem(project, c.clerk_a, "land", "用地指标不足", c.ndrc,
                                     timezone.localdate() + dt.timedelta(days=10))
    projects.report_month(project, c.clerk_a, timezone.localdate().strftime("%Y-%m"), "100", "完成桩基")
    lead = projects.create_lead(c.office, "晶能电源二期", "晶能电源有限公司", "50000", "省外", c.commerce)
    signed = projects.create_lead(c.office, "河阳食品加工", "某食品公司", "3000", "本省", c.town_a)
    projects.advance_lead(signed, c.office)

    roads = ServiceCategory.objects.create(service_code="roads", name="道路设施", group="城市管理")
    ServiceCategory.objects.create(service_code="water", name="供水", group="水电气暖", deadline_hours=24)
    RoutingRule.objects.create(category=roads)
    firm = Enterprise.objects.create(name="中原内配", credit_code="91410883MA44XQ0T1X", township=c.town_a,
                                     officer=ServiceOfficer.objects.create(person=c.leader.person))

    def submit(text):
        return service.submit_request(category=roads, description=text, address="河阳镇人民路12号",
                                      contact_name="张三", contact_phone="13812345678", channel="web")

    dispatched, fresh = submit("河阳镇人民路有个大坑"), submit("西虢镇路灯不亮")
    service.dispatch(dispatched, c.office, c.town_a)

    Indicator.objects.create(group="township", code="tasks", name="任务按时完成率", source="computed",
                             metric="tasks_on_time", weight=60)
    Indicator.objects.create(group="township", code="notices", name="被督办次数", source="computed",
                             metric="notices", direction="cost", weight=40)
    published = evaluation.publish_run(evaluation.create_run(c.office, "township", "2021"), c.office)
    draft = evaluation.create_run(c.office, "township", "2021", method="topsis")
    # jobs: a run made on the worker (done, with its result), a failed import with its rows, a clerk's own
    made = start_job(evaluation_jobs.create_run, Job.Kind.EVALUATION_RUN, c.office, "2021年乡镇考核",
                     group="township", period="2021", method="weighted", normalisation="minmax", as_of="2021-12-31")
    run_jobs()
    assert Job.objects.get(pk=made.pk).status == Job.Status.DONE
    failed = Job.objects.create(kind=Job.Kind.LEDGER_IMPORT, title="台账.xlsx", started_by=c.office,
                                status=Job.Status.FAILED, error="有 1 处错误",
                                details={"errors": [[3, "牵头单位", "单位“某局”不存在"]]})
    own = Job.objects.create(kind=Job.Kind.VALUES_IMPORT, title="统计.xlsx", started_by=c.clerk_a)

    c.turn = itertools.count()
    c.tokens = {role: ApiToken.objects.create(user=getattr(c, role), name="fuzz").key
                for role in ROLES if role != "anon"}
    units = [c.town_a.pk, c.town_b.pk, c.commerce.pk, c.ndrc.pk]
    leaders = [c.leader.person.pk, c.leader2.person.pk, c.head.person.pk]
    c.known = {
        "task_id": [task.pk, other.pk], "target_id": [blank.pk, filled.pk], "milestone_id": [milestone.pk],
        "notice_id": [notice.pk], "instruction_id": [instruction.pk], "document_id": [document.pk],
        "project_id": [project.pk, other_project.pk], "problem_id": [problem.pk],
        "item_id": list(StageItem.objects.order_by("pk").values_list("pk", flat=True)[:4]),
        "lead_id": [lead.pk, signed.pk], "request_id": [dispatched.pk, fresh.pk], "into": [fresh.pk],
        "run_id": [published.pk, draft.pk], "job_id": [made.pk, failed.pk, own.pk],
        "unit_id": units, "unit": units, "lead_unit": units,
        "township": units[:2], "leader": leaders, "enterprise": [firm.pk], "task": [task.pk],
        "co_units": units, "members": [c.clerk_a.person.pk, c.clerk_commerce.person.pk], "version": [1, 2],
    }
    return c


@pytest.fixture
def _requests_in_test_transaction():
    """As Django's test client does: a request must not close the test's connection, and with it the test's
    transaction (SQLite's in-memory test database ignores the close, PostgreSQL does not)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()  # rate-limit counters
    rules.forget()  # request routing rules this process cached from another test's database
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    cache.clear()
    rules.forget()


def aim_at_real_rows(case, known, words):
    """Swap most generated ids, and most strings of fields that name something (a unit, a leader, a period…), for
    real ones, so that requests get past "not found" to the rules; and put a NUL, which PostgreSQL cannot store,
    into some strings. Whether and what to change is a function of the generated value, so the same case always
    becomes the same request."""
    def swap(name, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value > 0 and value % 4 and known.get(name):
            return known[name][value % len(known[name])]
        if isinstance(value, str):
            score = sum(map(ord, value))
            if score % 13 == 7:
                return value + "\x00"
            return words[name][score % len(words[name])] if words.get(name) and score % 3 else value
        if isinstance(value, list):
            return [swap(name, item) for item in value]
        if isinstance(value, dict):
            return {key: swap(key, item) for key, item in value.items()}
        return value

    for container in (case.path_parameters, case.query, case.body):
        if isinstance(container, dict):
            for name, value in container.items():
                container[name] = swap(name, value)


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None, derandomize=True, database=None)
def test_api_as_every_role(case, world, _requests_in_test_transaction):
    # a request's category is a service code; elsewhere "category" is an enum the generator already gets right
    words = WORDS | {"category": ["roads", "water"]} if case.path.startswith("/api/service") else WORDS
    aim_at_real_rows(case, world.known, words)
    if case.meta and case.meta.phase.name.value == "coverage":
        # schemathesis' boundary cases: one signed-in role each, in turn (they come in a fixed order), which keeps
        # them affordable; an anonymous caller would only ever get the 401 the generated cases already check
        roles = [SIGNED_IN[next(world.turn) % len(SIGNED_IN)]]
    else:
        roles = ROLES  # generated cases: the same request as every role
    for role in roles:
        headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role != "anon" else {}
        with transaction.atomic():  # rolled back: every example starts from the same world
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except Exception as e:
                e.add_note(f"as role: {role}")
                raise
            finally:
                transaction.set_rollback(True)
