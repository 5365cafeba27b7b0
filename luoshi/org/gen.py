"""A realistic province-scale dataset, fast: `luoshi gen --units 2000 --tasks 100000 --requests 1000000 --projects 5000`.

Units (townships, streets and departments with plausible names), leaders, a clerk and a head per unit, tasks with
co-units, targets (some still blank), progress reports and supervision notices, key projects with monthly reports
and coordination problems, and service requests with their events. The requests' per-unit per-day counters
(service.UnitDayStats) are accumulated here exactly as the services count them event by event (dispatch day,
sign-for before the deadline, conclusion day, rating day; an unsatisfied first rating reopens the request and
takes its conclusion back), so rates and rankings over generated data are the ones the live system would show.

Everything goes in with bulk_create in batches, one transaction per batch; a progress bar goes to stderr.
Deterministic for a given --seed.
"""
import contextlib
import datetime as dt
import json
import random
import sys
import time
import uuid
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from luoshi.ledger.models import ProgressReport, SupervisionNotice, Target, Task
from luoshi.org.models import Person, Unit
from luoshi.projects.models import MonthlyReport, Problem, Project
from luoshi.service.models import RequestEvent, ServiceCategory, ServiceRequest, UnitDayStats

BATCH = 5000

# --- names -------------------------------------------------------------------------------------------------

PLACE_A = "安宝白北长城大东丰凤福富高古广桂海汉和河红华黄吉嘉金锦靖九康兰乐柳龙隆马梅明南宁平青清庆仁瑞三沙山上石" \
          "双顺泰太桃天铁通万王文五西仙祥小新兴杏阳杨永玉裕云枣张昭柘中周竹"
PLACE_B = "安坝堡滨岔川店甸渡峰沟关河湖集家涧口岭流楼庙坪桥泉山水塘亭湾溪峡岩洋营屯窑寨镇庄洲坊冈"
DEPARTMENTS = [
    ("发展和改革委员会", "发改委"), ("教育局", "教育局"), ("科学技术局", "科技局"), ("工业和信息化局", "工信局"),
    ("公安局", "公安局"), ("民政局", "民政局"), ("司法局", "司法局"), ("财政局", "财政局"),
    ("人力资源和社会保障局", "人社局"), ("自然资源局", "自然资源局"), ("生态环境分局", "生态环境局"),
    ("住房和城乡建设局", "住建局"), ("交通运输局", "交通局"), ("水利局", "水利局"), ("农业农村局", "农业农村局"),
    ("商务局", "商务局"), ("文化和旅游局", "文旅局"), ("卫生健康局", "卫健局"), ("退役军人事务局", "退役军人局"),
    ("应急管理局", "应急局"), ("审计局", "审计局"), ("市场监督管理局", "市场监管局"), ("统计局", "统计局"),
    ("医疗保障局", "医保局"), ("乡村振兴局", "乡村振兴局"), ("城市管理执法局", "城管局"), ("林业局", "林业局"),
    ("行政审批服务局", "行政审批局"), ("信访局", "信访局"), ("供电分公司", "供电公司"), ("自来水公司", "水务公司"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文斌辉鹏宇浩凯晨欣雪梅海波俊峰志"

AREAS = ["招商引资", "项目建设", "乡村振兴", "营商环境", "民生保障", "生态环保", "安全生产", "城市建设", "社会治理",
         "文化旅游"]
TASK_VERBS = ["加快推进", "全力抓好", "持续开展", "扎实推进", "认真落实", "深入实施", "统筹推进", "着力提升"]
TASK_OBJECTS = {
    "招商引资": ["招商引资突破年活动", "重点产业链精准招商", "签约项目落地", "亿元以上项目引进"],
    "项目建设": ["重点项目开工建设", "项目前期手续办理", "专项债券项目申报", "产业园区基础设施建设"],
    "乡村振兴": ["高标准农田建设", "农村人居环境整治", "产业帮扶项目", "村集体经济壮大"],
    "营商环境": ["一网通办改革", "涉企收费清理", "政务服务事项下沉", "企业开办便利化"],
    "民生保障": ["城乡居民医保参保", "老旧小区改造", "义务教育学校建设", "困难群众救助"],
    "生态环保": ["大气污染防治", "河湖长制落实", "秸秆禁烧", "污水处理设施提标改造"],
    "安全生产": ["安全生产专项整治", "自建房安全排查", "燃气安全隐患整治", "道路交通安全整治"],
    "城市建设": ["背街小巷改造", "城市供水管网改造", "停车设施建设", "雨污分流改造"],
    "社会治理": ["信访积案化解", "网格化服务管理", "矛盾纠纷排查化解", "平安乡村建设"],
    "文化旅游": ["全域旅游示范区创建", "文物保护利用", "乡村旅游精品线路", "公共文化设施提升"],
}
TARGETS = [("新签约项目", "个"), ("完成投资", "亿元"), ("新建高标准农田", "万亩"), ("改造老旧小区", "个"),
           ("新增就业", "人"), ("化解信访积案", "件"), ("接待游客", "万人次"), ("改造管网", "公里")]
REPORT_TEXTS = ["已召开专题会议研究部署，明确责任分工", "按时间节点推进，完成阶段目标", "已完成前期调研，正在组织实施",
                "主体工作基本完成，正在查漏补缺", "因手续办理滞后进度偏慢，已协调解决", "已完成全部任务，申请核销"]
CATEGORIES = [("roads", "道路设施", 168), ("water", "供水", 24), ("power", "供电", 24), ("heating", "供暖", 24),
              ("sanitation", "环境卫生", 72), ("noise", "噪声扰民", 72), ("housing", "住房物业", 168),
              ("social", "社会保障", 168), ("business", "企业诉求", 168), ("traffic", "交通出行", 168)]
REQUEST_TEXTS = {
    "roads": ["路面坑洼积水，车辆通行困难", "人行道地砖破损，老人容易摔倒", "路灯不亮，夜间出行不安全"],
    "water": ["小区停水两天了，没有任何通知", "自来水发黄有异味", "水管爆裂漏水严重"],
    "power": ["频繁停电，影响正常生活", "电线老化下垂存在安全隐患"],
    "heating": ["暖气不热，室内温度不到十五度", "供暖管道漏水"],
    "sanitation": ["垃圾清运不及时，气味难闻", "河道有大量漂浮垃圾", "公厕长期无人清扫"],
    "noise": ["夜间施工噪声扰民", "广场舞音响声音过大", "商铺高音喇叭叫卖"],
    "housing": ["物业不作为，电梯长期故障", "楼顶漏水物业不维修", "小区违章搭建"],
    "social": ["养老金发放有疑问", "医保报销手续繁琐", "低保申请迟迟没有答复"],
    "business": ["企业用电报装进度慢", "项目审批手续办理时间长", "拖欠企业工程款"],
    "traffic": ["公交班次太少", "路口红绿灯时间设置不合理", "校门口上下学拥堵"],
}
ROADS = ["人民路", "建设路", "解放路", "中山路", "新华街", "文化路", "育才路", "和平街", "胜利路", "友谊路"]
REPLIES = ["已安排人员现场处理，问题已解决", "已协调相关单位，限期整改", "经核实，已按政策答复诉求人"]
PROJECT_KINDS = ["年产{}万吨新材料项目", "{}现代农业产业园", "{}物流园区", "{}污水处理厂提标改造",
                 "{}全域旅游基础设施", "{}标准化厂房", "{}城乡供水一体化", "{}智能制造产业园"]
PROBLEM_TEXTS = ["用地指标尚未落实", "环评批复待办", "施工用电未接通", "资金拨付滞后", "周边群众阻工"]


STAGES = ["submitted", "dispatched", "signed", "replied", "concluded"]
RATINGS = ["satisfied", "basically", "unsatisfied", ""]
CHANNELS = ["web", "phone", "api", "open311"]


class Progress:
    """A one-line progress bar on stderr: `任务 ██████░░░░ 60,000/100,000 12.3 s`."""

    def __init__(self, stream=None, quiet=False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.started = time.perf_counter()

    def phase(self, label, total):
        self.label, self.total, self.done, self.t0, self.last = label, max(total, 1), 0, time.perf_counter(), 0.0
        self._draw()

    def advance(self, n):
        self.done = min(self.total, self.done + n)
        now = time.perf_counter()
        if now - self.last > 0.2 or self.done >= self.total:
            self.last = now
            self._draw()

    def end(self):
        self.done = self.total
        self._draw(final=True)

    def _draw(self, final=False):
        if self.quiet:
            return
        width = 30
        filled = int(width * self.done / self.total)
        line = (f"\r{self.label:<8} {'█' * filled}{'░' * (width - filled)} {self.done:>11,}/{self.total:,} "
                f"{time.perf_counter() - self.t0:6.1f} s")
        self.stream.write(line + ("\n" if final else ""))
        self.stream.flush()


@contextlib.contextmanager
def _timestamps_as_given(*models):
    """bulk_create with the dates we generated, not now(): auto_now(_add) off for the duration."""
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class NotEmpty(Exception):
    pass


class RawRows:
    """Rows of one model written without the ORM's per-field machinery (the 1,000,000 requests and their events):
    executemany on SQLite, COPY on PostgreSQL. Primary keys are given here, and PostgreSQL's sequence is moved
    past them afterwards (reset_sequences)."""

    def __init__(self, model):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.defaults = {}
        for f in self.fields:
            if f.has_default() and not callable(f.default):
                self.defaults[f.attname] = f.default
            elif f.null:
                self.defaults[f.attname] = None
            elif f.get_internal_type() in ("CharField", "TextField"):
                self.defaults[f.attname] = ""
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.sqlite = connection.vendor == "sqlite"
        self.rows = []

    def add(self, **values):
        row = []
        for f in self.fields:
            v = values[f.attname] if f.attname in values else self.defaults[f.attname]
            if isinstance(v, (dict, list)):
                v = json.dumps(v, ensure_ascii=False)
            elif self.sqlite:
                if isinstance(v, dt.datetime):
                    v = v.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(" ")
                elif isinstance(v, dt.date):
                    v = v.isoformat()
                elif isinstance(v, uuid.UUID):
                    v = v.hex
            row.append(v)
        self.rows.append(row)

    def flush(self):
        if not self.rows:
            return 0
        n = len(self.rows)
        with connection.cursor() as cursor:
            if self.sqlite:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", self.rows)
            else:
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
        self.rows = []
        return n


def reset_sequences(*models):
    sql = connection.ops.sequence_reset_sql(no_style(), list(models))
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


class Generator:
    def __init__(self, units=2000, tasks=100_000, requests=1_000_000, projects=5000, seed=1, year=2021,
                 password="gen12345", force_append=False, progress=None):
        self.n_units, self.n_tasks, self.n_requests, self.n_projects = units, tasks, requests, projects
        self.rng = random.Random(seed)
        self.year = year
        self.password = password
        self.force_append = force_append
        self.progress = progress or Progress()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.counts = {}

    # --- helpers ---------------------------------------------------------------------------------------------
    def aware(self, day, hour=10, minute=0):
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def local_day(self, moment):
        return moment.astimezone(self.tz).date()

    def person_name(self):
        r = self.rng
        return r.choice(SURNAMES) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.6 else "")

    def phone(self):
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def bulk(self, model, objs, label=None):
        """bulk_create in batches, a transaction each; returns the objects (with pks)."""
        if label:
            self.progress.phase(label, len(objs))
        for i in range(0, len(objs), BATCH):
            with transaction.atomic():
                model.objects.bulk_create(objs[i:i + BATCH], batch_size=BATCH)
            if label:
                self.progress.advance(len(objs[i:i + BATCH]))
        if label:
            self.progress.end()
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(objs)
        return objs

    # --- the run ---------------------------------------------------------------------------------------------
    def run(self):
        if not self.force_append and (Unit.objects.exists() or Task.objects.exists()
                                      or ServiceRequest.objects.exists() or User.objects.exists()):
            raise NotEmpty("数据库非空：gen 只在空库上运行（追加请用 --force-append）")
        self.tag = self._tag()
        with _timestamps_as_given(Task, ProgressReport, SupervisionNotice, Project, MonthlyReport, Problem):
            self.org()
            self.ledger()
            self.projects()
            self.requests()
        if connection.vendor in ("sqlite", "postgresql"):
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return self.counts

    def _tag(self):
        """'' on an empty database; with --force-append a short mark that keeps names and numbers unique."""
        if not self.force_append:
            return ""
        n = 1
        while Unit.objects.filter(name__startswith=f"G{n}·").exists() or User.objects.filter(
                username__startswith=f"g{n}_").exists():
            n += 1
        return str(n)

    def org(self):
        r, tag = self.rng, self.tag
        pre = f"G{tag}·" if tag else ""
        self.office_unit = Unit.objects.create(name=f"{pre}市委市政府督查室", short_name="督查室", kind=Unit.Kind.OFFICE)
        self.leadership = Unit.objects.create(name=f"{pre}市领导", short_name="市领导", kind=Unit.Kind.LEADERSHIP)
        n_dept = max(1, self.n_units // 6) if self.n_units > 1 else 0
        n_town = self.n_units - n_dept
        names, units = set(), []
        # townships and streets: two (or three) characters of place name + 镇/乡/街道
        while len(units) < n_town:
            place = r.choice(PLACE_A) + r.choice(PLACE_B)
            if len(names) > len(PLACE_A) * len(PLACE_B) // 2:
                place = r.choice(PLACE_A) + place
            kind = r.choices([Unit.Kind.TOWNSHIP, Unit.Kind.STREET], [5, 1])[0]
            name = place + ({"township": r.choice("镇镇镇乡")}.get(kind) or "街道办事处")
            if pre + name in names:
                continue
            names.add(pre + name)
            units.append(Unit(name=pre + name, short_name=place + ("街道" if kind == Unit.Kind.STREET else name[-1]),
                              kind=kind, order=len(units)))
        # departments: the county's bureaus, then the same bureaus of further counties (a province's worth)
        self.counties = []
        while len(units) < self.n_units:
            county = r.choice(PLACE_A) + r.choice(PLACE_A) + "县"
            if county in self.counties:
                continue
            self.counties.append(county)
            for full, short in DEPARTMENTS:
                if len(units) >= self.n_units:
                    break
                name = pre + county + full
                if name in names:
                    continue
                names.add(name)
                units.append(Unit(name=name, short_name=county[:-1] + short, kind=Unit.Kind.DEPARTMENT,
                                  order=len(units)))
        self.bulk(Unit, units, "单位")
        self.units = units
        self.towns = [u.pk for u in units if u.kind in (Unit.Kind.TOWNSHIP, Unit.Kind.STREET)] or [u.pk for u in units]
        self.depts = [u.pk for u in units if u.kind == Unit.Kind.DEPARTMENT] or self.towns
        self.town_set = set(self.towns)

        # people: the office, leaders (a principal and deputies), a clerk and a head per unit
        hashed = make_password(self.password)
        u_pre = f"g{tag}_" if tag else ""
        users, people = [], []

        def person(username, unit_id, role, title, **kw):
            users.append(User(username=u_pre + username, password=hashed, email=f"{u_pre}{username}@example.cn"))
            people.append(Person(name=self.person_name(), unit_id=unit_id, role=role, title=title,
                                 phone=self.phone(), **kw))

        person("office", self.office_unit.pk, Person.Role.OFFICE, "督查室主任")
        person("office2", self.office_unit.pk, Person.Role.OFFICE, "督查室干事")
        n_leaders = max(3, self.n_units // 100)
        person("leader0", self.leadership.pk, Person.Role.LEADER, "市长", oversees_all=True)
        for i in range(1, n_leaders):
            person(f"leader{i}", self.leadership.pk, Person.Role.LEADER, "副市长")
        for i, unit in enumerate(units):
            person(f"u{i:05d}", unit.pk, Person.Role.UNIT_CLERK, "联络员")
            person(f"u{i:05d}_head", unit.pk, Person.Role.UNIT_HEAD, "负责人")
        self.bulk(User, users, "用户")
        for user, p in zip(users, people):
            p.user_id = user.pk
        self.bulk(Person, people)
        self.office_user = users[0].pk
        self.leaders = [p.pk for p in people if p.role == Person.Role.LEADER]
        self.clerk_of = {p.unit_id: p.user_id for p in people if p.role == Person.Role.UNIT_CLERK}

    def ledger(self):
        r, year = self.rng, self.year
        start = dt.date(year, 1, 4)
        today = dt.date(year, 12, 20)
        code_pre = f"G{self.tag}-" if self.tag else ""
        all_units = self.towns + self.depts
        self.progress.phase("任务", self.n_tasks)
        notice_seq = SupervisionNotice.objects.filter(year=year).count()
        for lo in range(0, self.n_tasks, BATCH):
            tasks, co, meta = [], [], []
            for i in range(lo, min(lo + BATCH, self.n_tasks)):
                area = r.choice(AREAS)
                lead = r.choice(self.towns) if r.random() < 0.6 else r.choice(self.depts)
                begin = start + dt.timedelta(days=r.randint(0, 180))
                deadline = begin + dt.timedelta(days=r.randint(30, 330))
                status = r.choices(["verified", "reported_done", "in_progress", "assigned", "returned"],
                                   [40, 8, 45, 5, 2])[0]
                if status in ("verified", "reported_done") and deadline > today:
                    deadline = today - dt.timedelta(days=r.randint(1, 30))
                overdue = deadline < today and status not in ("verified", "reported_done")
                progress = 100 if status in ("verified", "reported_done") else (
                    0 if status == "assigned" else r.randint(5, 95))
                light, reason = (("red", "已超期未完成") if overdue else
                                 ("yellow", "临近截止期") if (deadline - today).days < 15 and progress < 100 else
                                 ("green", "按计划推进"))
                verb, obj = r.choice(TASK_VERBS), r.choice(TASK_OBJECTS[area])
                title = f"{verb}{obj}"
                # numbered like services.next_task_codes, so tasks published later continue the sequence
                tasks.append(Task(code=f"{code_pre}{year}-{i + 1:04d}", area=area, title=title,
                                  text=f"{title}，确保{deadline.month}月底前取得明显成效。", lead_unit_id=lead,
                                  leader_id=r.choice(self.leaders), start_date=begin, deadline=deadline,
                                  cadence=r.choice([30, 30, 30, 15, 91]), status=status, progress=progress,
                                  light=light, light_reason=reason,
                                  created_at=self.aware(begin, 9), updated_at=self.aware(min(today, deadline), 17)))
                meta.append((begin, deadline, status, progress, overdue, lead))
                if r.random() < 0.3:
                    co.append((len(tasks) - 1, r.sample(all_units, k=min(len(all_units), r.randint(1, 3)))))
            with transaction.atomic():
                Task.objects.bulk_create(tasks, batch_size=BATCH)
                through = Task.co_units.through
                through.objects.bulk_create([through(task_id=tasks[k].pk, unit_id=u)
                                             for k, us in co for u in us if u != tasks[k].lead_unit_id],
                                            batch_size=BATCH)
                targets, reports, notices = [], [], []
                for task, (begin, deadline, status, progress, overdue, lead) in zip(tasks, meta):
                    if r.random() < 0.4:
                        metric, unit = r.choice(TARGETS)
                        blank = r.random() < 0.15
                        targets.append(Target(task_id=task.pk, text=f"{metric}{'**' if blank else r.randint(2, 80)}"
                                                                     f"{unit}", metric=metric, unit=unit,
                                              value=None if blank else Decimal(r.randint(2, 80)), placeholder=blank,
                                              state="blank" if blank else "fixed"))
                    months = max(0, min((today - begin).days, (deadline - begin).days) // 30)
                    author = self.clerk_of.get(lead, self.office_user)
                    last = None
                    for m in range(months):
                        if r.random() < 0.8:
                            last = self.aware(begin + dt.timedelta(days=30 * m + r.randint(20, 29)),
                                              r.randint(8, 18), r.randint(0, 59))
                            reports.append(ProgressReport(
                                task_id=task.pk, unit_id=lead, author_id=author,
                                percent=min(progress, round(progress * (m + 1) / max(months, 1))) or 0,
                                text=r.choice(REPORT_TEXTS[:5]), created_at=last))
                    if status in ("verified", "reported_done"):
                        last = self.aware(deadline - dt.timedelta(days=r.randint(0, 10)), 16)
                        reports.append(ProgressReport(task_id=task.pk, unit_id=lead, author_id=author, percent=100,
                                                      text=REPORT_TEXTS[5], done=True, created_at=last))
                    if last is not None:
                        task.last_report_at = last
                    if overdue and r.random() < 0.1:
                        notice_seq += 1
                        issued = deadline + dt.timedelta(days=3)
                        notices.append(SupervisionNotice(
                            year=year, seq=notice_seq, task_id=task.pk, unit_id=lead, light="red",
                            reason=f"任务已超过完成时限（{deadline:%Y年%m月%d日}），进度{progress}%。",
                            requirement="请于5个工作日内书面说明原因并提出整改措施。",
                            reply_due=issued + dt.timedelta(days=5), issued_by_id=self.office_user,
                            issued_at=self.aware(issued, 9), status=r.choice(["open", "replied", "escalated"])))
                Task.objects.bulk_update([t for t in tasks if t.last_report_at], ["last_report_at"],
                                         batch_size=BATCH)
                Target.objects.bulk_create(targets, batch_size=BATCH)
                ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
                SupervisionNotice.objects.bulk_create(notices, batch_size=BATCH)
            for model, objs in [(Task, tasks), (Target, targets), (ProgressReport, reports),
                                (SupervisionNotice, notices)]:
                self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(objs)
            self.progress.advance(len(tasks))
        self.progress.end()

    def projects(self):
        r, year = self.rng, self.year
        pre = f"G{self.tag}·" if self.tag else ""
        names, projects = set(), []
        while len(projects) < self.n_projects:
            place = self.units[r.randrange(len(self.units))].short_name or "新区"
            name = pre + r.choice(PROJECT_KINDS).format(place if r.random() < 0.5 else r.randint(2, 60))
            if name in names:
                name = f"{name}（{len(projects) + 1}期）"
            if name in names:
                continue
            names.add(name)
            registered = dt.date(year - 1, r.randint(1, 12), r.randint(1, 28))
            stage = r.choices(["introduced", "preparation", "construction", "completed"], [1, 2, 5, 2])[0]
            total = Decimal(r.randint(500, 300000))
            projects.append(Project(
                name=name[:100], category=r.choice(list(Project.Category.values)), township_id=r.choice(self.towns),
                owner=f"{r.choice(PLACE_A)}{r.choice(PLACE_A)}实业有限公司", content="新建厂房、配套设施及附属工程",
                leader_id=r.choice(self.leaders), lead_unit_id=r.choice(self.depts), total_investment=total,
                annual_investment=(total / 4).quantize(Decimal("1")), provincial_key=r.random() < 0.1,
                city_key=r.random() < 0.3, stage=stage, registered_on=registered,
                planned_construction=dt.date(year, r.randint(1, 6), 1), planned_completion=dt.date(year + 1, 12, 31),
                entered_construction=(dt.date(year, r.randint(1, 6), 15) if stage in ("construction", "completed")
                                      else None),
                entered_completion=dt.date(year, 11, 30) if stage == "completed" else None,
                last_report_month=dt.date(year, 11, 1), light=r.choices(["green", "yellow", "red"], [7, 2, 1])[0],
                created_at=self.aware(registered)))
        self.bulk(Project, projects, "项目")
        self.progress.phase("项目月报", len(projects))
        for lo in range(0, len(projects), 500):
            reports, problems, changed = [], [], []
            for p in projects[lo:lo + 500]:
                ytd = Decimal(0)
                for m in range(1, 12):
                    inv = Decimal(r.randint(0, max(1, int(p.annual_investment / 8))))
                    ytd += inv
                    reports.append(MonthlyReport(project_id=p.pk, month=dt.date(year, m, 1), investment=inv,
                                                 year_to_date=ytd, progress=r.choice(["主体施工", "设备安装", "基础施工",
                                                                                      "办理前期手续", "竣工验收"]),
                                                 author_id=self.office_user,
                                                 created_at=self.aware(dt.date(year, m, 25), 15)))
                p.completed_investment = ytd
                changed.append(p)
                if r.random() < 0.2:
                    problems.append(Problem(project_id=p.pk, category=r.choice(list(Problem.Category.values)),
                                            text=r.choice(PROBLEM_TEXTS), unit_id=r.choice(self.depts),
                                            **self._problem_fields()))
            with transaction.atomic():
                MonthlyReport.objects.bulk_create(reports, batch_size=BATCH)
                Problem.objects.bulk_create(problems, batch_size=BATCH)
                Project.objects.bulk_update(changed, ["completed_investment"], batch_size=BATCH)
            self.counts["projects.MonthlyReport"] = self.counts.get("projects.MonthlyReport", 0) + len(reports)
            self.counts["projects.Problem"] = self.counts.get("projects.Problem", 0) + len(problems)
            self.progress.advance(len(changed))
        self.progress.end()

    def _problem_fields(self):
        """A coordination problem's deadline, who raised it and when, and where it stands."""
        raised = dt.date(self.year, self.rng.randint(1, 11), self.rng.randint(1, 28))
        status = self.rng.choices(["open", "replied", "closed"], [2, 1, 5])[0]
        return {"deadline": raised + dt.timedelta(days=15), "raised_by_id": self.office_user,
                "raised_at": self.aware(raised), "status": status,
                "reply": "已协调解决" if status != "open" else "",
                "replied_at": self.aware(raised + dt.timedelta(days=7)) if status != "open" else None}

    def requests(self):
        r, year, tz = self.rng, self.year, self.tz
        cats = {}
        for i, (code, name, hours) in enumerate(CATEGORIES):
            cats[code], _ = ServiceCategory.objects.get_or_create(
                service_code=code, defaults={"name": name, "deadline_hours": hours, "order": i})
        codes = list(cats)
        town_names = {u.pk: u.short_name or u.name for u in self.units}
        year_start = dt.datetime(year, 1, 1, tzinfo=tz)
        span = (dt.datetime(year, 12, 31, 12, tzinfo=tz) - year_start).total_seconds()
        now = dt.datetime(year, 12, 31, 18, tzinfo=tz)
        number_pre = f"{year}-G{self.tag}" if self.tag else f"{year}-"
        stats = defaultdict(lambda: [0] * 9)  # COUNTERS order of luoshi.service.rates
        D, RSP, C, RES, OT, RT, S, B, U = range(9)
        Kind, Status = RequestEvent.Kind, ServiceRequest.Status
        office = self.office_user
        req_rows, event_rows = RawRows(ServiceRequest), RawRows(RequestEvent)
        next_req = (ServiceRequest.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        next_event = (RequestEvent.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        n_events = 0
        self.progress.phase("诉求", self.n_requests)
        for lo in range(0, self.n_requests, BATCH):
            hi = min(lo + BATCH, self.n_requests)
            for i in range(lo, hi):
                # requests arrive over the year; the latest ones are the ones still open
                frac = i / max(self.n_requests - 1, 1)
                created = year_start + dt.timedelta(seconds=int(frac * span) + r.randint(0, 3600))
                code = r.choice(codes)
                cat = cats[code]
                unit = r.choice(self.towns) if r.random() < 0.8 else r.choice(self.depts)
                urgency = "emergency" if r.random() < 0.03 else "ordinary"
                sign_h, reply_h = (2, 24) if urgency == "emergency" else (min(24, cat.deadline_hours), cat.deadline_hours)
                age_h = (now - created).total_seconds() / 3600
                stage = r.choices(STAGES, [1, 1, 3, 3, 92])[0] if age_h < reply_h * 2 else "concluded"
                dispatched = created + dt.timedelta(minutes=r.randint(10, 240))
                signed = dispatched + dt.timedelta(hours=r.choice([1, 2, 3, 6, 12, 20, 30]) * r.random() + 0.2)
                replied = signed + dt.timedelta(hours=reply_h * r.uniform(0.1, 1.15))
                concluded = replied + dt.timedelta(hours=r.uniform(1, 48))
                rated_at = concluded + dt.timedelta(hours=r.uniform(2, 72))
                times = (dispatched, signed, replied, concluded)
                if stage != "submitted" and times[STAGES.index(stage) - 1 if stage != "concluded" else 3] > now:
                    stage = "submitted"
                resolved = r.random() < 0.88
                rating = r.choices(RATINGS, [60, 20, 4, 16])[0] if stage == "concluded" and rated_at <= now else ""
                place = town_names.get(unit, "城区")
                status = {"submitted": Status.SUBMITTED, "dispatched": Status.DISPATCHED, "signed": Status.SIGNED,
                          "replied": Status.REPLIED}.get(stage) or (Status.RESOLVED if resolved else Status.CLOSED)
                reply_due = dispatched + dt.timedelta(hours=reply_h)
                last = {"submitted": created, "dispatched": dispatched, "signed": signed, "replied": replied,
                        "concluded": rated_at if rating else concluded}[stage]
                if rating == "unsatisfied":  # the first unsatisfied rating reopens it with a fresh reply clock
                    status, reply_due = Status.SIGNED, rated_at + dt.timedelta(hours=reply_h)
                d = stage != "submitted"
                pk = next_req
                next_req += 1
                received_by = office if r.random() < 0.5 else None
                req_rows.add(
                    id=pk, number=f"{number_pre}{i + 1:07d}", token=uuid.uuid4(),  # a secret: never from the seed
                    channel=r.choices(CHANNELS, [5, 8, 1, 1])[0], category_id=cat.pk, urgency=urgency,
                    description=f"{place}{r.choice(ROADS)}附近{r.choice(REQUEST_TEXTS[code])}，请尽快处理。",
                    address=f"{place}{r.choice(ROADS)}{r.randint(1, 300)}号",
                    lat=round(34.0 + r.uniform(-1.5, 1.5), 6), long=round(108.0 + r.uniform(-2, 2), 6),
                    contact_name=self.person_name(), contact_phone=self.phone(), attributes={},
                    created_at=created, updated_at=last, received_by_id=received_by, status=status,
                    suggested_unit_id=unit, suggestion_reason="属地乡镇" if unit in self.town_set else "类别对口单位",
                    unit_id=unit if d else None, first_unit_id=unit if d else None,
                    dispatched_at=dispatched if d else None,
                    sign_due=dispatched + dt.timedelta(hours=sign_h) if d else None,
                    reply_due=reply_due if d else None, extension_pending=False,
                    rating=rating if rating != "unsatisfied" else "")

                def event(kind, at, unit_id, actor, text="", data=None):
                    nonlocal next_event
                    event_rows.add(id=next_event, request_id=pk, kind=kind, at=at, actor_id=actor, unit_id=unit_id,
                                   text=text, data=data or {})
                    next_event += 1

                event(Kind.SUBMITTED, created, None, received_by)
                if stage == "submitted":
                    continue
                event(Kind.DISPATCHED, dispatched, unit, office, data={"sign_hours": sign_h, "reply_hours": reply_h})
                row = stats[(unit, self.local_day(dispatched))]
                row[D] += 1
                if stage == "dispatched":
                    continue
                author = self.clerk_of.get(unit)
                event(Kind.SIGNED, signed, unit, author)
                if signed <= dispatched + dt.timedelta(hours=sign_h):
                    row[RSP] += 1
                if stage == "signed":
                    continue
                event(Kind.REPLIED, replied, unit, author, text=r.choice(REPLIES))
                if stage == "replied":
                    continue
                on_time = replied <= dispatched + dt.timedelta(hours=reply_h)
                cday = self.local_day(concluded)
                event(Kind.CONCLUDED, concluded, unit, office,
                      data={"resolved": resolved, "on_time": on_time, "day": cday.isoformat()})
                if rating != "unsatisfied":  # a reopened request takes its conclusion back
                    crow = stats[(unit, cday)]
                    crow[C] += 1
                    crow[RES] += int(resolved)
                    crow[OT] += int(on_time)
                if rating:
                    event(Kind.RATED, rated_at, unit, None, data={"rating": rating})
                    rrow = stats[(unit, self.local_day(rated_at))]
                    rrow[RT] += 1
                    rrow[{"satisfied": S, "basically": B, "unsatisfied": U}[rating]] += 1
                if rating == "unsatisfied":
                    event(Kind.REOPENED, rated_at, unit, None, text="诉求人不满意，重新办理")
            with transaction.atomic():
                req_rows.flush()
                n_events += event_rows.flush()
            self.progress.advance(hi - lo)
        reset_sequences(ServiceRequest, RequestEvent)
        self.counts["service.ServiceRequest"] = self.counts.get("service.ServiceRequest", 0) + self.n_requests
        self.counts["service.RequestEvent"] = self.counts.get("service.RequestEvent", 0) + n_events
        self.progress.end()
        self._write_stats(stats)

    def _write_stats(self, stats):
        """The day counters: added to any rows already there (--force-append), else inserted."""
        from luoshi.service.rates import COUNTERS, bump

        existing = UnitDayStats.objects.exists()
        next_id = 1
        self.progress.phase("日计数", len(stats))
        items = list(stats.items())
        for lo in range(0, len(items), BATCH):
            chunk = items[lo:lo + BATCH]
            with transaction.atomic():
                if existing:
                    for (unit, day), row in chunk:
                        bump(unit, day, **dict(zip(COUNTERS, row)))
                else:
                    rows = RawRows(UnitDayStats)
                    for (unit, day), row in chunk:
                        rows.add(id=next_id, unit_id=unit, day=day, **dict(zip(COUNTERS, row)))
                        next_id += 1
                    rows.flush()
            self.progress.advance(len(chunk))
        self.progress.end()
        reset_sequences(UnitDayStats)
        self.counts["service.UnitDayStats"] = self.counts.get("service.UnitDayStats", 0) + len(stats)


def recount_from_events():
    """{(unit_id, day): [counters…]} recomputed from the request events alone, by the rules of service.rates
    (dispatch day; responded before the sign-for deadline; conclusion day; rating day; a reopening takes the
    conclusion back). Zero rows are left out. Used to show that the stored counters agree with the events."""
    from luoshi.service.rates import COUNTERS

    tz = ZoneInfo(settings.TIME_ZONE)
    idx = {c: i for i, c in enumerate(COUNTERS)}
    totals = defaultdict(lambda: [0] * len(COUNTERS))
    rating_counter = {"satisfied": "satisfied", "basically": "basically_satisfied", "unsatisfied": "unsatisfied"}
    state = {}
    Kind = RequestEvent.Kind
    for req, kind, at, unit, data in RequestEvent.objects.order_by("request_id", "at", "id").values_list(
            "request_id", "kind", "at", "unit_id", "data").iterator(chunk_size=10000):
        s = state.setdefault(req, {})
        if kind == Kind.DISPATCHED:
            s.update(unit=unit, at=at, sign_due=at + dt.timedelta(hours=data["sign_hours"]), answered=False)
            totals[(unit, at.astimezone(tz).date())][idx["dispatched"]] += 1
        elif kind in (Kind.SIGNED, Kind.RETURNED) and s.get("at") and not s["answered"]:
            s["answered"] = True
            if at <= s["sign_due"]:
                totals[(s["unit"], s["at"].astimezone(tz).date())][idx["responded"]] += 1
        elif kind == Kind.CONCLUDED:
            row = totals[(unit, dt.date.fromisoformat(data["day"]))]
            row[idx["concluded"]] += 1
            row[idx["resolved"]] += int(data["resolved"])
            row[idx["concluded_on_time"]] += int(data["on_time"])
            s["concluded"] = (unit, data)
        elif kind == Kind.RATED:
            row = totals[(unit, at.astimezone(tz).date())]
            row[idx["rated"]] += 1
            row[idx[rating_counter[data["rating"]]]] += 1
        elif kind == Kind.REOPENED and s.get("concluded"):
            unit0, data0 = s.pop("concluded")
            row = totals[(unit0, dt.date.fromisoformat(data0["day"]))]
            row[idx["concluded"]] -= 1
            row[idx["resolved"]] -= int(data0["resolved"])
            row[idx["concluded_on_time"]] -= int(data0["on_time"])
    return {k: v for k, v in totals.items() if any(v)}
