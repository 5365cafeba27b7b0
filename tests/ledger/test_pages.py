"""The ledger's web pages: each renders for its roles, and each form goes through the services' rules."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from luoshi.ledger import services
from luoshi.ledger.models import Document, Instruction, ProgressReport, SupervisionNotice, Target, Task

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
BLANK = {"text": "引进亿元以上项目**个", "metric": "引进亿元以上项目", "unit": "个", "placeholder": True}
SPEECH = """在全县重点工作推进会上的讲话
一、抓招商
要持续开展招商引资突破年活动，确保2021年引进亿元以上项目**个。
二、抓环境
县生态环境局要在6月底前完成城区黑臭水体整治。
"""


@pytest.fixture
def task(make_task, county):
    return make_task(co=[county.commerce], targets=[BLANK])


def page(client, user, path):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- role pages ---------------------------------------------------------------------------

def test_anonymous_goes_to_login(client, county):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    html = client.get("/login/").content.decode()
    assert "用户名" in html and "密码" in html and 'name="language"' in html


def test_login_page_signs_in(client, county):
    response = client.post("/login/", {"username": "clerk_a", "password": "pw-clerk_a"})
    assert response.status_code == 302
    assert client.get("/")["Location"] == "/workbench/"


def test_workbench_shows_red_first_blanks_and_report_button(client, county, make_task, task):
    make_task(title="红灯任务", deadline=dt.date(2021, 2, 1))
    services.refresh_lights()  # 2021 deadlines are past: both red, the earlier deadline first
    html = page(client, county.clerk_a, "/workbench/")
    tasks = html.split("<h2>本单位任务")[1]
    assert tasks.index("红灯任务") < tasks.index(task.title)
    assert "填报" in html and f"/tasks/{task.pk}/#report" in html
    assert "待填报目标值" in html and "引进亿元以上项目" in html
    assert 'name="viewport"' in html and "单位工作台" in html


def test_office_console_and_leader_page(client, county, task):
    services.refresh_lights()
    html = page(client, county.office, "/console/")
    assert "督查室工作台" in html and task.title in html
    html = page(client, county.leader, "/leader/")
    assert "我分管的任务" in html and task.title in html


def test_nav_follows_role(client, county):
    assert "文件分解" in page(client, county.office, "/tasks/")
    html = page(client, county.clerk_a, "/tasks/")
    assert "单位工作台" in html and "文件分解" not in html
    assert "我分管的任务" in page(client, county.leader, "/tasks/")


def test_language_switch_form_posts_to_set_language(client, county):
    client.force_login(county.clerk_a)
    html = client.get("/tasks/").content.decode()
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tasks/"})
    assert response.status_code == 302 and client.cookies["django_language"].value == "en"


# --- task list ----------------------------------------------------------------------------

def test_task_list_filters_paginates_and_links_export(client, county, make_task, task):
    make_task(title="西虢镇的任务", lead=county.town_b)
    html = page(client, county.office, f"/tasks/?unit={county.town_b.pk}")
    assert "西虢镇的任务" in html and task.title not in html
    html = page(client, county.office, f"/tasks/?unit={county.commerce.pk}")  # co-unit counts
    assert task.title in html and "西虢镇的任务" not in html
    html = page(client, county.office, "/tasks/?q=西虢")
    assert "西虢镇的任务" in html and task.title not in html
    html = page(client, county.office, f"/tasks/?leader={county.leader.person.pk}&light=green&status=assigned")
    assert task.title in html
    assert f"export.xlsx?leader={county.leader.person.pk}&amp;light=green&amp;status=assigned" in html
    html = page(client, county.office, "/tasks/?light=red")
    assert task.title not in html and "没有符合条件的任务" in html


def test_task_list_pages_by_fifty(client, county, make_task):
    for i in range(51):
        make_task(title=f"任务{i:02d}")
    html = page(client, county.office, "/tasks/")
    assert "第 1 / 2 页" in html and "page=2" in html
    assert "第 2 / 2 页" in page(client, county.office, "/tasks/?page=2")


# --- task page ----------------------------------------------------------------------------

def test_task_page_shows_fields_blank_target_and_audit(client, county, make_task):
    t = make_task(co=[county.commerce], targets=[BLANK], source_text="确保2021年引进亿元以上项目**个。")
    html = page(client, county.clerk_a, f"/tasks/{t.pk}/")
    for text in (t.title, t.code, "河阳镇", "商务局", "李副县长", "2021-12-31", "确保2021年引进亿元以上项目**个。",
                 "**个 待填报", "发布任务", "王督查", "进度填报"):
        assert text in html, text
    assert 'accept="image/*' in html and "capture" in html and 'type="range"' in html


def test_report_progress_with_photo(client, county, task):
    client.force_login(county.clerk_a)
    response = client.post(f"/tasks/{task.pk}/report/", {
        "report-percent": "50", "report-text": "两个项目已签约",
        "report-attachments": SimpleUploadedFile("现场.png", PNG, content_type="image/png")})
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    task.refresh_from_db()
    assert task.progress == 50 and task.status == Task.Status.IN_PROGRESS
    attachment = ProgressReport.objects.get().attachments.get()
    assert attachment.name == "现场.png"
    html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "两个项目已签约" in html and "现场.png" in html and "已填报" in html
    download = client.get(f"/tasks/{task.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG


def test_report_rejects_exe_and_writes_nothing(client, county, task):
    client.force_login(county.clerk_a)
    response = client.post(f"/tasks/{task.pk}/report/", {
        "report-percent": "50", "report-text": "附上程序",
        "report-attachments": SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/x-msdownload")})
    html = response.content.decode()
    assert response.status_code == 200 and "virus.exe" in html and "类型不支持" in html
    assert ProgressReport.objects.count() == 0
    task.refresh_from_db()
    assert task.progress == 0


def test_report_without_text_shows_error_next_to_field(client, county, task):
    client.force_login(county.clerk_a)
    html = client.post(f"/tasks/{task.pk}/report/", {"report-percent": "25", "report-text": ""}).content.decode()
    assert "请填写进展情况" in html and ProgressReport.objects.count() == 0


def test_edit_conflict_keeps_the_other_change(client, county, task):
    from django.contrib.auth.models import User

    from luoshi.org.models import Person

    other = User.objects.create_user("office2", "o2@example.cn", "pw")
    Person.objects.create(user=other, name="刘干事", unit=county.office_unit, role=Person.Role.OFFICE)
    client.force_login(county.office)
    html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert f'name="edit-version" value="{task.version}"' in html
    stale = task.version
    services.update_task(task, other, stale, title="刘干事改的标题")  # saved in between

    response = client.post(f"/tasks/{task.pk}/edit/", {
        "edit-version": stale, "edit-title": "王督查改的标题", "edit-text": task.text,
        "edit-lead_unit": task.lead_unit_id, "edit-leader": task.leader_id, "edit-deadline": "2021-12-31",
        "edit-cadence": task.cadence})
    html = response.content.decode()
    assert response.status_code == 409
    assert "该任务已被刘干事修改" in html and "刘干事改的标题" in html and "王督查改的标题" in html
    task.refresh_from_db()
    assert task.title == "刘干事改的标题"
    assert f'name="edit-version" value="{task.version}"' in html  # resubmitting is a conscious choice


def test_edit_saves_and_audits(client, county, task):
    client.force_login(county.office)
    response = client.post(f"/tasks/{task.pk}/edit/", {
        "edit-version": task.version, "edit-title": task.title, "edit-text": task.text,
        "edit-lead_unit": task.lead_unit_id, "edit-co_units": [county.commerce.pk, county.ndrc.pk],
        "edit-leader": task.leader_id, "edit-deadline": "2021-11-30", "edit-cadence": 15})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.deadline == dt.date(2021, 11, 30) and set(task.co_units.all()) == {county.commerce, county.ndrc}
    html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "修改任务" in html and "2021-12-31 → 2021-11-30" in html


def test_edit_deadline_before_assignment_is_shown_on_the_field(client, county, task):
    client.force_login(county.office)
    html = client.post(f"/tasks/{task.pk}/edit/", {
        "edit-version": task.version, "edit-title": task.title, "edit-text": task.text,
        "edit-lead_unit": task.lead_unit_id, "edit-deadline": "2020-01-01", "edit-cadence": 30}).content.decode()
    assert "完成时限不能早于交办日期" in html
    task.refresh_from_db()
    assert task.deadline == dt.date(2021, 12, 31)


def test_target_fill_from_workbench_then_office_confirms(client, county, task):
    target = task.targets.get()
    client.force_login(county.clerk_a)
    response = client.post(f"/tasks/{task.pk}/targets/{target.pk}/fill/",
                           {f"t{target.pk}-value": "8", "next": "/workbench/"})
    assert response["Location"] == "/workbench/"
    target.refresh_from_db()
    assert target.value == 8 and target.state == Target.State.FILLED
    html = page(client, county.office, f"/tasks/{task.pk}/")
    assert "引进亿元以上项目 8个" in html and "待确认" in html
    client.post(f"/tasks/{task.pk}/targets/{target.pk}/confirm/")
    target.refresh_from_db()
    assert target.state == Target.State.CONFIRMED
    assert "待填报" not in page(client, county.clerk_a, f"/tasks/{task.pk}/")


def test_target_return_needs_a_reason(client, county, task):
    target = task.targets.get()
    services.fill_target(target, county.clerk_a, 3)
    client.force_login(county.office)
    client.post(f"/tasks/{task.pk}/targets/{target.pk}/return/", {"note": ""})
    target.refresh_from_db()
    assert target.state == Target.State.FILLED
    client.post(f"/tasks/{task.pk}/targets/{target.pk}/return/", {"note": "偏低，请重报"})
    target.refresh_from_db()
    assert target.state == Target.State.RETURNED
    assert "偏低，请重报" in page(client, county.clerk_a, "/workbench/")


def test_target_fill_rejects_non_number(client, county, task):
    target = task.targets.get()
    client.force_login(county.clerk_a)
    html = client.post(f"/tasks/{task.pk}/targets/{target.pk}/fill/", {f"t{target.pk}-value": "八"}).content.decode()
    assert "请填写数字" in html
    target.refresh_from_db()
    assert target.value is None


def test_office_verifies_and_returns(client, county, make_task, task):
    services.report_progress(task, county.clerk_a, 100, "已完成", done=True)
    client.force_login(county.office)
    client.post(f"/tasks/{task.pk}/verify/")
    task.refresh_from_db()
    assert task.status == Task.Status.VERIFIED
    other = make_task(title="另一项")
    services.report_progress(other, county.clerk_a, 100, "已完成", done=True)
    html = client.post(f"/tasks/{other.pk}/return/", {"ret-reason": ""}).content.decode()
    assert "请写明退回理由" in html
    client.post(f"/tasks/{other.pk}/return/", {"ret-reason": "缺佐证材料"})
    other.refresh_from_db()
    assert other.status == Task.Status.RETURNED


def test_notice_issued_and_answered(client, county, task):
    services.refresh_lights()
    client.force_login(county.office)
    response = client.post(f"/tasks/{task.pk}/notice/", {"notice-reason": "超期未完成", "notice-requirement": ""})
    assert response.status_code == 302
    notice = SupervisionNotice.objects.get()
    assert notice.unit == county.town_a
    html = page(client, county.clerk_a, "/workbench/")
    assert notice.number in html
    client.force_login(county.clerk_a)
    html = client.post(f"/notices/{notice.pk}/reply/", {f"r{notice.pk}-reply": ""}).content.decode()
    assert "请填写答复内容" in html
    client.post(f"/notices/{notice.pk}/reply/", {f"r{notice.pk}-reply": "已整改到位"})
    notice.refresh_from_db()
    assert notice.status == SupervisionNotice.Status.REPLIED
    assert "已整改到位" in page(client, county.office, "/notices/")


def test_green_task_notice_refused_with_message(client, county, make_task):
    on = services.today()
    task = make_task(on=on, deadline=on + dt.timedelta(days=300))
    client.force_login(county.office)
    assert "下发督办单" not in client.get(f"/tasks/{task.pk}/").content.decode()  # no button for a green task
    html = client.post(f"/tasks/{task.pk}/notice/", {"notice-reason": "催办"}).content.decode()
    assert "绿灯任务无需督办" in html
    assert SupervisionNotice.objects.count() == 0


def test_leader_instruction_and_reply(client, county, task):
    client.force_login(county.leader)
    due = (services.today() + dt.timedelta(days=7)).isoformat()
    html = client.post(f"/tasks/{task.pk}/instruct/", {"ins-unit": county.town_a.pk, "ins-due": "2000-01-01",
                                                        "ins-text": "加快"}).content.decode()
    assert "请填写不早于今天的办理时限" in html and Instruction.objects.count() == 0
    client.post(f"/tasks/{task.pk}/instruct/", {"ins-unit": county.town_a.pk, "ins-due": due, "ins-text": "加快推进"})
    instruction = Instruction.objects.get()
    assert "加快推进" in page(client, county.clerk_a, "/workbench/")
    client.force_login(county.clerk_a)
    client.post(f"/instructions/{instruction.pk}/reply/", {f"r{instruction.pk}-reply": "已召开专题会"})
    instruction.refresh_from_db()
    assert instruction.status == Instruction.Status.REPLIED
    assert "已召开专题会" in page(client, county.leader, f"/tasks/{task.pk}/")


def test_user_text_is_escaped(client, county, make_task):
    evil = "<script>alert(1)</script>"
    t = make_task(title=evil, text=evil, source_text=evil)
    services.report_progress(t, county.clerk_a, 10, evil)
    for user, path in [(county.office, "/tasks/"), (county.office, f"/tasks/{t.pk}/"),
                       (county.clerk_a, "/workbench/"), (county.leader, "/leader/")]:
        html = page(client, user, path)
        assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


# --- documents ----------------------------------------------------------------------------

def draft_document(county, tasks):
    text = "一、抓招商\n" + "".join(t["text"] for t in tasks)
    offset = len("一、抓招商\n")
    for t in tasks:
        t.update(start=offset, end=offset + len(t["text"]), heading=0)
        offset = t["end"]
    return Document.objects.create(title="讲话", text=text, uploaded_by=county.office, result={
        "headings": [{"text": "一、抓招商", "start": 0, "end": 5, "level": 1, "parent": None}], "tasks": tasks})


def formset_data(rows):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows))}
    for i, row in enumerate(rows):
        data.update({f"form-{i}-{k}": v for k, v in row.items()})
    return data


def test_publish_with_an_invalid_row_shows_errors_and_creates_nothing(client, county):
    document = draft_document(county, [
        {"text": "确保引进亿元以上项目**个。", "targets": [BLANK], "deadlines": [{"text": "2021年", "date": "2021-12-31"}],
         "lead_unit": "县商务局", "co_units": ["发改委"]},
        {"text": "要抓好黑臭水体整治。", "targets": [], "deadlines": [], "lead_unit": "生态环境局", "co_units": []},
    ])
    html = page(client, county.office, f"/documents/{document.pk}/")
    assert "<mark>确保引进亿元以上项目**个。</mark>" in html and "一、抓招商" in html
    assert f'<option value="{county.commerce.pk}" selected>' in html  # alias 县商务局 → 商务局
    assert 'value="2021-12-31"' in html and "生态环境局" in html  # unknown suggestion is named
    response = client.post(f"/documents/{document.pk}/", formset_data([
        {"include": "on", "title": "招商", "text": "确保引进亿元以上项目**个。", "lead_unit": county.commerce.pk,
         "deadline": "2021-12-31"},
        {"include": "on", "title": "治水", "text": "要抓好黑臭水体整治。", "lead_unit": ""},
    ]))
    html = response.content.decode()
    assert response.status_code == 200 and "未指定单位" in html and "没有发布任何任务" in html
    assert 'id="row-1"' in html and html.index("未指定单位") > html.index('id="row-1"')
    assert Task.objects.count() == 0
    document.refresh_from_db()
    assert document.status == Document.Status.DRAFT


def test_publish_with_nothing_ticked_says_so(client, county):
    document = draft_document(county, [{"text": "要抓招商。", "targets": [], "deadlines": [], "lead_unit": "商务局"}])
    client.force_login(county.office)
    response = client.post(f"/documents/{document.pk}/", formset_data([{"title": "招商", "text": "要抓招商。"}]),
                           follow=True)
    assert "请至少勾选一条任务再发布" in response.content.decode() and Task.objects.count() == 0


def test_publish_included_rows(client, county):
    document = draft_document(county, [
        {"text": "确保引进亿元以上项目**个。", "targets": [BLANK], "deadlines": [], "lead_unit": "商务局", "co_units": []},
        {"text": "这句不是任务。", "targets": [], "deadlines": [], "lead_unit": "", "co_units": []},
    ])
    client.force_login(county.office)
    response = client.post(f"/documents/{document.pk}/", formset_data([
        {"include": "on", "title": "招商引资", "text": "确保引进亿元以上项目**个。", "lead_unit": county.commerce.pk,
         "co_units": county.ndrc.pk, "leader": county.leader.person.pk, "deadline": "2030-12-31"},
        {"title": "不要", "text": "这句不是任务。"},
    ]))
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.title, task.lead_unit, task.leader) == ("招商引资", county.commerce, county.leader.person)
    assert list(task.co_units.all()) == [county.ndrc] and task.source_text == "确保引进亿元以上项目**个。"
    assert task.targets.get().state == Target.State.BLANK
    assert "已发布" in page(client, county.office, f"/documents/{document.pk}/")


def test_upload_decompose_preview_publish(client, county):
    client.force_login(county.office)
    response = client.post("/documents/upload/", {
        "file": SimpleUploadedFile("讲话.txt", SPEECH.encode()), "doc_date": "2020-12-20"})
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert document.text == SPEECH and document.result["tasks"]
    html = client.get(response["Location"]).content.decode()
    assert "抓招商" in html and "<mark>" in html and "引进亿元以上项目**个" in html
    rows = [{"include": "on", "title": t["text"][:20], "text": t["text"], "lead_unit": county.commerce.pk,
             "deadline": "2030-12-31"} for t in document.result["tasks"]]
    response = client.post(f"/documents/{document.pk}/", formset_data(rows))
    assert response.status_code == 302
    assert Task.objects.count() == len(rows)
    assert Task.objects.filter(targets__placeholder=True).exists()


def test_a_big_document_is_decomposed_by_the_worker(client, county, run_jobs, settings):
    from luoshi.jobs.models import Job

    settings.LUOSHI_INLINE_DOCUMENT_BYTES = 0
    client.force_login(county.office)
    assert "不是 txt、docx 或 pdf" in client.post("/documents/upload/", {
        "file": SimpleUploadedFile("a.exe", b"MZ")}).content.decode()  # said at once, not after the queue
    response = client.post("/documents/upload/", {"file": SimpleUploadedFile("讲话.txt", SPEECH.encode()),
                                                   "doc_date": "2020-12-20"})
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/" and not Document.objects.exists()
    run_jobs()
    document = Document.objects.get()
    job.refresh_from_db()
    assert (job.status, job.result_url) == ("done", f"/documents/{document.pk}/")
    assert document.doc_date == dt.date(2020, 12, 20) and document.filename == "讲话.txt" and document.result["tasks"]
    assert job.summary == f"已分解“{document.title}”：{len(document.result['tasks'])} 条任务，请逐条核对后发布"
    assert f'href="/jobs/{job.pk}/"' in client.get("/documents/").content.decode()


def test_upload_rejects_large_and_unreadable_files(client, county, settings):
    client.force_login(county.office)
    settings.LUOSHI_DOCUMENT_MAX_BYTES = 10
    html = client.post("/documents/upload/", {"file": SimpleUploadedFile("大文件.txt", SPEECH.encode())}
                       ).content.decode()
    assert "大文件.txt" in html and "超过上限" in html
    settings.LUOSHI_DOCUMENT_MAX_BYTES = 1024 * 1024
    html = client.post("/documents/upload/", {"file": SimpleUploadedFile("坏.docx", b"not a zip")}).content.decode()
    assert "坏.docx" in html and "无法读取" in html
    html = client.post("/documents/upload/", {"file": SimpleUploadedFile("a.exe", b"MZ")}).content.decode()
    assert "a.exe" in html and "不是 txt、docx 或 pdf" in html
    assert Document.objects.count() == 0


def test_workbench_reports_inline_and_comes_back(client, county, task):
    client.force_login(county.clerk_a)
    html = client.get("/workbench/").content.decode()
    assert f'action="/tasks/{task.pk}/report/"' in html and 'name="report-percent" value="50"' in html
    response = client.post(f"/tasks/{task.pk}/report/", {"report-percent": "50", "report-text": "已完成选址",
                                                          "next": "/workbench/"})
    assert response.status_code == 302 and response["Location"] == "/workbench/"
    task.refresh_from_db()
    assert task.progress == 50


def test_office_adds_a_milestone_and_the_lead_unit_ticks_it(client, county, task):
    client.force_login(county.office)
    bad = client.post(f"/tasks/{task.pk}/milestones/", {"ms-title": "完成征地", "ms-due": "2099-01-01"})
    assert "节点时间不能晚于完成时限" in bad.content.decode()
    year_one = client.post(f"/tasks/{task.pk}/milestones/", {"ms-title": "完成征地", "ms-due": "0001-01-01"})
    assert year_one.context["milestone_form"].errors["due"] == ["节点计划时间不能早于交办日期 2021-01-04"]
    assert not task.milestones.exists()
    client.post(f"/tasks/{task.pk}/milestones/", {"ms-title": "完成征地", "ms-due": "2021-03-01"})
    milestone = task.milestones.get()
    client.force_login(county.clerk_b)
    assert client.post(f"/tasks/{task.pk}/milestones/{milestone.pk}/done/").status_code == 404
    client.force_login(county.clerk_a)
    assert "标记完成" in client.get(f"/tasks/{task.pk}/").content.decode()
    client.post(f"/tasks/{task.pk}/milestones/{milestone.pk}/done/")
    milestone.refresh_from_db()
    assert milestone.done_on is not None
