"""The ledger in English: pages, messages and form errors follow the chosen language; Chinese stays the default.

The catalogue is checked as text (no new dependency): every entry translated, none fuzzy, placeholders kept,
and the committed .mo says what the .po says. The page templates and the ledger's views and forms are checked
for Chinese left outside the translation machinery.
"""
import ast
import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from luoshi.ledger import services

ROOT = Path(settings.BASE_DIR) / "luoshi"
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES"
HAN = re.compile(r"[\u4e00-\u9fff]")
BLANK = {"text": "引进亿元以上项目**个", "metric": "引进亿元以上项目", "unit": "个", "placeholder": True}

# Chinese labels that must not survive on an English page (page data such as titles and unit names may)
WORKBENCH_ZH = ["单位工作台", "本单位任务（", "待填报目标值", ">填报<", ">督办单<", "领导批示", "完成时限", "退出", "提交"]
TASK_ZH = ["进度填报", "进度（%）", "进展情况", "现场照片或佐证材料", "提交填报", "任务信息", "任务内容", "牵头单位",
           "责任单位", "分管领导", "完成时限", "填报周期", "当前进度", "最近填报", "依据原文", "目标", "节点", "进度记录",
           "操作记录", "操作人", "每月", "已交办", "待填报", "提交目标值", "说明", "尚无填报"]
OFFICE_TASK_ZH = ["督查室操作", "修改任务", "任务名称", "所属章节", "重点领域", "保存", "批示内容", "承办单位", "办理时限"]
CONSOLE_ZH = ["督查室工作台", "红灯任务", "本期未填报", "待核销", "待确认目标值", "督办单待答复", "待发布的分解草稿",
              "上传讲话稿分解任务", "导入台账", "最近填报", "编号", "牵头单位"]
LOGIN_ZH = ["登录", "用户名", "密码", "语言"]
LIST_ZH = ["任务台账", "筛选", "清除", "导出任务分解表", "共 ", "编号", "任务名称", "进度", "状态", "已交办", "全部灯色"]


@pytest.fixture
def task(make_task, county):
    return make_task(co=[county.commerce], targets=[BLANK], deadline=dt.date(2021, 2, 1))


def english(client, user=None):
    """Choose English the way a person does: the language form posts to set_language."""
    if user is not None:
        client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


def html_of(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def assert_english(html, english_labels, chinese_labels):
    missing = [label for label in english_labels if label not in html]
    left = [label for label in chinese_labels if label in html]
    assert not missing and not left, f"missing English {missing}; Chinese left {left}"
    assert '<html lang="en">' in html


# --- pages in English -----------------------------------------------------------------------

def test_workbench_in_english(client, county, task):
    services.refresh_lights()
    html = html_of(english(client, county.clerk_a), "/workbench/")
    assert_english(html, ["Unit workbench", "Report progress", "Supervision notices", "My unit",
                          "Tasks of my unit (1)", "Target values to report (1)", "Red", "Log out"], WORKBENCH_ZH)
    assert task.title in html and f"/tasks/{task.pk}/#report" in html  # the data stays as written


def test_task_page_in_english(client, county, task):
    html = html_of(english(client, county.clerk_a), f"/tasks/{task.pk}/")
    assert_english(html, ["Report progress", "Progress (%)", "Progress update", "Submit report", "Task details",
                          "Lead unit", "Co-units", "Leader in charge", "Deadline", "Reporting cycle", "Monthly",
                          "Assigned", "Progress history", "Change history", "**个 to be reported", "Submit target value",
                          "No reports yet"], TASK_ZH)


def test_office_task_page_and_console_in_english(client, county, task):
    services.refresh_lights()
    english(client, county.office)
    html = html_of(client, f"/tasks/{task.pk}/")
    assert_english(html, ["Supervision Office actions", "Edit task", "Task name", "Section", "Save",
                          "Issue a supervision notice", "Grounds for supervision"], OFFICE_TASK_ZH)
    html = html_of(client, "/console/")
    assert_english(html, ["Supervision Office workbench", "Red-light tasks", "Not reported this period",
                          "Supervision notices awaiting reply", "Upload a speech to break it into tasks",
                          "Import ledger (Excel)", "Document breakdown", "Leaders' instructions"], CONSOLE_ZH)


def test_task_list_in_english(client, county, task):
    html = html_of(english(client, county.office), "/tasks/")
    assert_english(html, ["Task ledger", "Filter", "Clear", "Export task breakdown (Excel)", "1 tasks in total",
                          "Task name", "All lights", "Assigned"], LIST_ZH)


def test_login_in_english(client, county):
    html = html_of(english(client), "/login/")
    assert_english(html, ["Log in to Luoshi", "Username", "Password", "Log in"], LOGIN_ZH)
    response = client.post("/login/", {"username": "clerk_a", "password": "wrong"})
    assert "Incorrect username or password" in response.content.decode()


def test_messages_and_form_errors_in_english(client, county, task):
    english(client, county.clerk_a)
    response = client.post(f"/tasks/{task.pk}/report/", {"report-percent": "50", "report-text": ""})
    assert "Please describe the progress made" in response.content.decode()
    response = client.post(f"/tasks/{task.pk}/report/", {"report-percent": "50", "report-text": "已完成选址"},
                           follow=True)
    assert f"Reported progress of 50% on “{task.title}”" in response.content.decode()


def test_chinese_is_the_default(client, county, task):
    client.force_login(county.clerk_a)
    html = html_of(client, "/workbench/")
    assert '<html lang="zh-hans">' in html
    assert "单位工作台" in html and ">填报<" in html and "本单位任务（1）" in html
    assert "Unit workbench" not in html and "Report progress" not in html
    html = html_of(client, f"/tasks/{task.pk}/")
    assert "进度填报" in html and "牵头单位" in html and "Lead unit" not in html


def test_switching_back_to_chinese(client, county, task):
    english(client, county.clerk_a)
    assert "Unit workbench" in html_of(client, "/workbench/")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "单位工作台" in html_of(client, "/workbench/")


# --- the catalogue --------------------------------------------------------------------------

def _unquote(parts):
    text = "".join(parts)
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def po_entries(path=CATALOGUE / "django.po"):
    """[(flags, msgctxt or None, msgid, msgstr)] from a .po file; enough of the format for this catalogue."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        flags, fields, current = set(), {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#~"):
                flags.add("obsolete")
            elif line.startswith("#") or not line.strip():
                continue
            elif m := re.match(r'^(msgctxt|msgid|msgstr)\s+"(.*)"$', line):
                current = m.group(1)
                fields[current] = [m.group(2)]
            elif m := re.match(r'^"(.*)"$', line):
                fields[current].append(m.group(1))
            else:
                raise AssertionError(f"unexpected line in the catalogue: {line!r}")
        if "msgid" in fields:
            entries.append((flags, _unquote(fields["msgctxt"]) if "msgctxt" in fields else None,
                            _unquote(fields["msgid"]), _unquote(fields.get("msgstr", []))))
    return entries


def test_catalogue_is_complete():
    entries = po_entries()
    header = [e for e in entries if e[2] == ""]
    assert len(header) == 1 and "charset=UTF-8" in header[0][3] and "Language: en" in header[0][3]
    messages = [e for e in entries if e[2] != ""]
    assert len(messages) > 300
    assert not [e for e in entries if "fuzzy" in e[0]], "fuzzy entries left"
    assert not [e for e in entries if "obsolete" in e[0]], "obsolete entries left"
    assert not [e[2] for e in messages if not e[3].strip()], "untranslated entries"
    assert not [e[2] for e in messages if HAN.search(e[3]) and "“" not in e[3]], "Chinese in a translation"
    placeholder = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdf]|%%")
    wrong = [e[2] for e in messages if sorted(placeholder.findall(e[2])) != sorted(placeholder.findall(e[3]))]
    assert not wrong, f"placeholders differ: {wrong}"


def test_mo_matches_po():
    """The committed .mo (a fresh machine needs no gettext) carries exactly the .po's translations."""
    with open(CATALOGUE / "django.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    catalog = mo._catalog
    stale = []
    for _flags, context, msgid, msgstr in po_entries():
        if not msgid:
            continue
        key = f"{context}\x04{msgid}" if context else msgid
        if catalog.get(key) != msgstr:
            stale.append(msgid)
    assert not stale, f"the .mo is out of date (run `make messages`): {stale[:5]}"
    assert len([k for k in catalog if k]) == len([e for e in po_entries() if e[2]])


def test_key_terms_follow_the_glossary():
    po = {(c, m): s for _f, c, m, s in po_entries()}
    assert po[(None, "督办单")] == "Supervision notices"
    assert po[(None, "牵头单位")] == "Lead unit" and po[(None, "责任单位")] == "Co-units"
    assert po[(None, "分管领导")] == "Leader in charge" and po[(None, "任务台账")] == "Task ledger"
    assert po[(None, "红黄绿灯")] == "Status light" and po[(None, "待定目标")] == "Target to be set"
    assert po[("button", "填报")] == "Report progress" and po[(None, "核销")] == "Verify and close"
    assert po[(None, "督查室")] == "Supervision Office"


# --- nothing left outside the machinery -----------------------------------------------------

TEMPLATES = sorted([*(ROOT / "ledger" / "templates" / "ledger").glob("*.html"),
                    *(ROOT / "templates" / "registration").glob("*.html"),
                    ROOT / "templates" / "partials" / "task_row.html", ROOT / "templates" / "partials" / "bar.html"])
TRANSLATED = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}|{%\s*translate\s.*?%}|{#.*?#}", re.S)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_have_no_untranslated_chinese(path):
    text = path.read_text(encoding="utf-8")
    assert "{% load i18n" in text
    left = [line.strip() for line in TRANSLATED.sub("", text).splitlines() if HAN.search(line)]
    assert not left, left


# Chinese literals that are data formats rather than interface text
PYTHON_ALLOWED = {"任务台账-", "任务台账导入模板.xlsx"}
TRANSLATORS = {"_", "gettext", "gettext_lazy", "pgettext_lazy", "pgettext", "ngettext"}


@pytest.mark.parametrize("name", ["ledger/views.py", "ledger/forms.py", "ledger/excel_views.py",
                                  "ledger/models.py", "org/models.py"])
def test_python_interface_text_is_translatable(name):
    tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in TRANSLATORS:
            inside |= {id(arg) for arg in node.args}
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)) and ast.get_docstring(node) is not None:
            inside.add(id(node.body[0].value))
    left = [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and HAN.search(node.value)
            and id(node) not in inside and node.value not in PYTHON_ALLOWED]
    # what stays Chinese on purpose: the notice number format, the default rule's name, audit-log guards
    left = [(n, v) for n, v in left if v not in {"督办〔", "〕", "号", "默认规则", "审计记录只能追加，不能修改",
                                               "审计记录只能追加，不能删除"}]
    assert not left, left


def test_chinese_whatever_the_browser_asks_until_english_is_chosen(client):
    assert "登录" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    client.post("/i18n/setlang/", {"language": "en"})
    assert "Log in" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
