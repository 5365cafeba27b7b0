"""The admin views the ledger's and the projects' evidence but never edits it: an edit there would skip the
version check, the lights and the audit trail. Rules the office keeps (light policy, unit rules) stay editable."""
import pytest
from django.contrib.auth.models import User

from luoshi.ledger.models import AuditEntry, Milestone, Task

READ_ONLY = ["ledger/task", "ledger/progressreport", "ledger/supervisionnotice", "ledger/instruction",
             "ledger/document", "ledger/reminderlog", "projects/project", "projects/monthlyreport", "projects/problem",
             "projects/lead"]


@pytest.fixture
def admin_client(client, county):
    User.objects.create_superuser("root", "root@example.cn", "pw-root")
    client.login(username="root", password="pw-root")
    return client


def test_a_task_is_shown_but_not_changed_in_the_admin(admin_client, make_task):
    task = make_task()
    Milestone.objects.create(task=task, title="完成选址", due=task.deadline)
    url = f"/admin/ledger/task/{task.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200 and "完成选址" in page.content.decode()
    assert 'name="title"' not in page.content.decode() and 'name="milestones-0-due"' not in page.content.decode()
    audit_rows = AuditEntry.objects.count()
    response = admin_client.post(url, {"title": "改了", "milestones-TOTAL_FORMS": "1", "milestones-INITIAL_FORMS": "1",
                                       "milestones-0-id": "1", "milestones-0-due": "0001-01-01"})
    assert response.status_code == 403
    assert admin_client.post(f"/admin/ledger/task/{task.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/ledger/task/add/").status_code == 403
    task.refresh_from_db()
    assert task.title != "改了" and task.milestones.get().due == task.deadline
    assert Task.objects.count() == 1 and AuditEntry.objects.count() == audit_rows


@pytest.mark.parametrize("model", READ_ONLY)
def test_evidence_has_no_add_page(admin_client, model):
    assert admin_client.get(f"/admin/{model}/").status_code == 200
    assert admin_client.get(f"/admin/{model}/add/").status_code == 403


@pytest.mark.parametrize("model", ["ledger/lightpolicy", "ledger/unitrule", "projects/stageitem",
                                   "service/routingrule"])
def test_rules_stay_editable(admin_client, model):
    assert admin_client.get(f"/admin/{model}/add/").status_code == 200
