"""Deadlines: the time limits of a task, resolved to the last day they allow.

A month, quarter or festival without a year is its next occurrence on or after the
document date (a December speech's 春节前 is the coming Spring Festival, its 3月底前
next March). 明年 and a bare year count only where they bound an action
(明年要建成投用, 确保2021年引进), not where they qualify a noun (明年续建项目,
2021年项目计划).
"""
import calendar
import datetime as dt
import functools
import re

from .document import Deadline, Doc
from .lexicon import small_number

M = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
BEFORE = r"(?:前|之前|以前|内|以内)"
YEAR = r"(?:(?P<year>(?:19|20)\d\d)年|(?P<next>明年))"
ACTION = (r"要|将|全面|基本|完成|建成|实现|达到|引进|新增|开工|竣工|投产|投用|通车|落地|到位|启动|"
          r"创建|成功|争创|力争|确保|突破|办结|建设|交付|上线|运行")

PATTERNS = [
    ("range", re.compile(rf"{YEAR}?(?P<m1>{M})月(?:\d{{1,2}}日)?(?:至|到|—|－|-|~|～)(?P<m>{M})月(?:底|末|(?P<d>\d{{1,2}})日)?{BEFORE}?")),
    ("date", re.compile(rf"{YEAR}?(?P<m>{M})月(?P<d>\d{{1,2}})[日号]{BEFORE}?")),
    ("month-part", re.compile(rf"{YEAR}?(?P<m>{M})月(?P<part>上旬|中旬|下旬)(?:末)?{BEFORE}?")),
    ("month-end", re.compile(rf"{YEAR}?(?P<m>{M})月(?:(?:底|末|份)(?:{BEFORE})?|{BEFORE}|(?=完成|建成|开工|投用|投产|竣工|通车|办结))")),
    ("quarter", re.compile(rf"{YEAR}?第?(?P<q>[一二三四1-4])季度(?:末|底)?{BEFORE}?")),
    ("half-year", re.compile(rf"{YEAR}?(?P<half>上半年|下半年)(?:末|底)?{BEFORE}?")),
    ("spring-festival", re.compile(rf"{YEAR}?(?:春节|农历新年)(?:前|之前|以前)")),
    ("festival", re.compile(rf"{YEAR}?(?P<fest>元旦|国庆|五一|劳动节)(?:节|假期|长假|节假期)?(?:前|之前|以前)")),
    ("this-month", re.compile(rf"(?P<which>本|下个?)月(?:底|末|内|份)?{BEFORE}?")),
    ("week", re.compile(rf"(?P<which>本|下)周(?P<day>[一二三四五六日天])?{BEFORE}?")),
    ("year-end", re.compile(rf"(?P<year>(?:19|20)\d\d)年(?P<end>底|末|年底|年末)?(?P<before>{BEFORE})?")),
    ("next-year", re.compile(rf"明年(?P<end>底|年底|末|内)?(?P<before>{BEFORE})?")),
    ("year-end", re.compile(rf"(?:今年|本年度?|(?<![去明上前每\d]))(?:年底|年末|年内)(?:{BEFORE})?")),
]
# a span without any of these holds no deadline (a cheap test before the patterns)
TRIGGER = re.compile(r"月|季度|半年|春节|农历新年|元旦|国庆|五一|劳动节|年底|年末|年内|\d{4}年|明年|周")
RECURRING = re.compile(r"每(?:年|月|季度?|周|半年)?$|逐月$|按月$|按季$")
BOUNDS_ACTION = re.compile(ACTION)
LEADS_TIME = re.compile(r"(?:到|至|(?<![关对基鉴属])于|在|确保|力争|争取|计划|预计|要在|力争在|确保在|前)$")
# a bare period right after such a verb names what is made, not a limit: 制定第四季度促消费方案
NAMES_PERIOD = re.compile(r"(?:制定|编制|形成|起草|召开|举办|部署|安排|研究|报送|提交|审议|印发|发布|公布)$")
WEEKDAY = "一二三四五六日"


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _next(base: dt.date, make) -> dt.date:
    """make(year) on or after base: this year's, else next year's."""
    d = make(base.year)
    return d if d >= base else make(base.year + 1)


@functools.lru_cache(maxsize=256)
def _spring_festival_eve(year: int) -> dt.date:
    """The eve of the lunar new year in a Gregorian year (lunar-python takes ~15 ms: cached)."""
    from lunar_python import Lunar

    s = Lunar.fromYmd(year, 1, 1).getSolar()
    return dt.date(s.getYear(), s.getMonth(), s.getDay()) - dt.timedelta(days=1)


def plan_year(text: str, base: dt.date) -> int:
    """The year a bare 年底/年内 means: the document's year, except in a December document that plans the
    next year (it names that year, or 明年, more often than its own)."""
    if base.month != 12:
        return base.year
    ahead = text.count(f"{base.year + 1}年") + text.count("明年")
    now = text.count(f"{base.year}年") + text.count("今年")
    return base.year + 1 if ahead > now else base.year


def _resolve(rule, m, base, text, start, year_meant):
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else (base.year + 1 if g.get("next") else None)

    def at(make):
        return make(year) if year else _next(base, make)

    if rule in ("range", "month-end", "date", "month-part"):
        month = small_number(m["m"])
        if not 1 <= month <= 12:
            return None
        if rule == "date" or (rule == "range" and g.get("d")):
            day = int(m["d"])
            if day > calendar.monthrange(year or base.year, month)[1]:
                return None
            return at(lambda y: dt.date(y, month, day))
        if rule == "month-part" and m["part"] != "下旬":
            day = 10 if m["part"] == "上旬" else 20
            return at(lambda y: dt.date(y, month, day))
        return at(lambda y: month_end(y, month))
    bare = not re.search(r"[末底前内]$", m.group())
    if rule in ("quarter", "half-year", "month-end") and bare and NAMES_PERIOD.search(text, max(0, start - 4), start):
        return None
    if rule == "this-month":
        month = base.month + (m["which"] != "本")
        return month_end(base.year + (month > 12), (month - 1) % 12 + 1)
    if rule == "week":
        # 本周五前 is this week's Friday, 下周五前 the next week's; a week without a day ends on its Sunday
        day = WEEKDAY.index(m["day"]) if m["day"] and m["day"] != "天" else 6
        return base + dt.timedelta(days=day - base.weekday() + (7 if m["which"] == "下" else 0))
    if rule == "quarter":
        return at(lambda y: month_end(y, 3 * small_number(m["q"])))
    if rule == "half-year":
        return at(lambda y: month_end(y, 12 if m["half"] == "下半年" else 6))
    if rule == "year-end":
        if not g.get("year"):
            return dt.date(base.year if re.match(r"今年|本年", m.group()) else year_meant, 12, 31)
        # a bare year bounds an action (确保2021年引进), it does not name a plan (2021年项目计划)
        if int(g["year"]) < base.year:
            return None
        if not (g.get("end") or g.get("before") or BOUNDS_ACTION.match(text, m.end())
                or LEADS_TIME.search(text[max(0, start - 4):start])):
            return None
        return dt.date(int(g["year"]), 12, 31)
    if rule == "next-year":
        if not (g.get("end") or g.get("before") or BOUNDS_ACTION.match(text, m.end())
                or LEADS_TIME.search(text[max(0, start - 4):start])):
            return None
        return dt.date(base.year + 1, 12, 31)
    if rule == "spring-festival":
        # 明年春节前 is the Spring Festival of the next calendar year, 春节前 the next one to come
        return _spring_festival_eve(year) if year else _next(base, _spring_festival_eve)
    if rule == "festival":
        month, day = {"元旦": (12, 31), "五一": (4, 30), "劳动节": (4, 30)}.get(m["fest"], (9, 30))
        return dt.date(year - 1 if m["fest"] == "元旦" else year, month, day) if year else \
            _next(base, lambda y: dt.date(y, month, day))
    return None


def find_deadlines(text: str, start: int, end: int, base: dt.date, year_meant: int | None = None) -> list[Deadline]:
    """Every deadline in text[start:end], leftmost-longest, resolved against base; a bare 年底 is in year_meant."""
    found = []
    taken = []
    for rule, pattern in PATTERNS:
        for m in pattern.finditer(text, start, end):
            s, e = m.span()
            if any(s < b and a < e for a, b in taken) or RECURRING.search(text[max(0, s - 3):s]):
                continue
            try:
                date = _resolve(rule, m, base, text, s, year_meant or base.year)
            except ValueError:
                date = None
            if date:
                taken.append((s, e))
                found.append(Deadline(s, e, text[s:e], date=date, rule=rule))
    return sorted(found, key=lambda d: d.start)


def deadlines(doc: Doc) -> None:
    year = plan_year(doc.text, doc.doc_date)
    for t in doc.tasks:
        t.deadlines = [d for s, e in [(t.start, t.end)] + t.row_cells if TRIGGER.search(doc.text, s, e)
                       for d in find_deadlines(doc.text, s, e, doc.doc_date, year)]
