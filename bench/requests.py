"""Load test of request intake and the monthly ranking, on PostgreSQL behind gunicorn. Run by hand only:

    .venv/bin/python bench/requests.py            # needs wrk (apt-get install -y wrk) and PostgreSQL on localhost

1. Creates the database `luoshi_bench` (dropped first; BENCH_ADMIN_URL, default postgres://postgres@localhost:5432/test,
   is used to create it), migrates, adds a small county, a category and an API key, and bulk-generates 1,000,000
   requests in SQL with their per-unit per-day counters (the same numbers the services would have counted).
2. Starts gunicorn with this module's WSGI app: the whole site plus /bare/, a bare Django view that inserts one row.
3. wrk, 32 connections, 20 s each: the bare view, then Open311 intake (POST requests.json, a new request each time,
   validated, routed, numbered, stored with its first event and its pending duplicate check), alternated
   BENCH_ROUNDS times (default 2: this shared machine drifts within minutes), then intake again
   while a thread reads the monthly ranking page back to back (its own run: that reader's load would otherwise
   count against intake only); then the ranking page alone.
4. Starts the background worker (`manage.py db_worker`) and times it through the duplicate checks the intakes left
   pending: the work taken off the intake is counted, not hidden.
5. Prints a table. BENCH_WORKERS (default 4) sets gunicorn's workers, BENCH_THREADS (default 1: sync workers;
   more: gthread workers with that many threads) their threads, BENCH_ROWS the generated requests.
   It also checks that Django's connections persist under gunicorn (CONN_MAX_AGE): the database backends
   serving the site are the same ones before and after the intake run.
"""
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)  # this file is called requests.py: keep it from shadowing the `requests` package
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@localhost:5432/test")
DB_NAME = "luoshi_bench"
DB_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
PORT = int(os.environ.get("BENCH_PORT", "0"))  # 0: a free port is picked
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))  # bare and intake runs alternated: a drift hits both alike
CONNECTIONS, SECONDS = 32, 20
ENV = {"DATABASE_URL": DB_URL, "LUOSHI_PRODUCTION": "1", "DEBUG": "0", "SECRET_KEY": "bench-only-not-secret-" + "0123456789abcdef" * 3,
       "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SETTINGS_MODULE": "luoshi.settings"}


# --- the app gunicorn serves -------------------------------------------------------------------

def bare(request):
    """The yardstick: Django's request cycle and one INSERT, nothing else."""
    from django.db import connection
    from django.http import HttpResponse
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_bare (body, created_at) VALUES (%s, now())", [request.body[:500].decode()])
    return HttpResponse(b'{"ok": true}', status=201, content_type="application/json")


def application():
    """gunicorn 'bench.requests:application()': the site with /bare/ in front."""
    import django
    from django.conf import settings
    os.environ.update({k: v for k, v in ENV.items() if k not in os.environ})
    django.setup()
    settings.ROOT_URLCONF = __name__
    from django.core.wsgi import get_wsgi_application
    return get_wsgi_application()


def _urlpatterns():
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt
    return [path("bare/", csrf_exempt(bare)), path("", include("luoshi.urls"))]


def __getattr__(name):  # Django reads `urlpatterns` only once the app is set up
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


# --- setting up the database -------------------------------------------------------------------

def create_database():
    import psycopg
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def prepare():
    """Migrate, add the county and a key; returns (api key, session cookie value)."""
    os.environ.update(ENV)
    import django
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection

    from luoshi.org.models import ApiToken, Person, Unit
    from luoshi.service.models import PlaceKeyword, RoutingRule, ServiceCategory

    call_command("migrate", verbosity=0)
    office_unit = Unit.objects.create(name="县委县政府督查室", kind=Unit.Kind.OFFICE)
    townships = [Unit.objects.create(name=f"{n}镇", kind=Unit.Kind.TOWNSHIP, order=i)
                 for i, n in enumerate("东西南北中上下左右前", start=1)]
    departments = [Unit.objects.create(name=f"{n}局", kind=Unit.Kind.DEPARTMENT, order=i)
                   for i, n in enumerate(["城管", "住建", "交通", "水利", "人社", "市场", "生态", "工信"], start=1)]
    for unit in townships:
        PlaceKeyword.objects.create(keyword=unit.name, township=unit)
    roads = ServiceCategory.objects.create(service_code="roads", name="道路设施", group="城乡建设")
    RoutingRule.objects.create(category=roads)
    RoutingRule.objects.create(keyword="井盖", unit=departments[0])
    user = User.objects.create_user("office", password="bench-only")
    Person.objects.create(user=user, name="督查室", unit=office_unit, role=Person.Role.OFFICE)
    key = ApiToken.objects.create(user=user, name="bench").key
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})
    session.create()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, body text, created_at timestamptz)")
    generate(roads.pk, [u.pk for u in townships + departments])
    return key, session.session_key


def generate(category_id, unit_ids):
    """ROWS requests over 2021-01..06, 98 % concluded, the rest open (some overdue); then their counters,
    grouped once here as the services would have counted them event by event."""
    from django.db import connection
    units = "ARRAY[" + ",".join(map(str, unit_ids)) + "]"
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO service_servicerequest (number, token, channel, category_id, urgency, description, address,
                lat, long, contact_name, contact_phone, attributes, created_at, updated_at, status,
                suggested_unit_id, suggestion_reason, unit_id, first_unit_id, dispatched_at, sign_due, reply_due,
                extension_pending, rating)
            SELECT 'B-' || g, gen_random_uuid(), 'web', %s, 'ordinary', '道路坑洼' || g, '东镇' || (g %% 500),
                34.8 + (g %% 1000) / 10000.0, 112.7 + (g %% 997) / 10000.0, '张三', '13800000000', '{{}}',
                t, t + interval '3 days',
                CASE WHEN g %% 100 = 0 THEN 'signed' WHEN g %% 5 = 0 THEN 'closed' ELSE 'resolved' END,
                u, '', u, u, t, t + interval '24 hours', t + interval '168 hours', false,
                CASE WHEN g %% 3 = 0 THEN 'satisfied' WHEN g %% 3 = 1 THEN 'basically' ELSE '' END
            FROM (SELECT g, ({units})[1 + g %% {len(unit_ids)}] AS u,
                         timestamptz '2021-01-01 08:00+08' + (g %% 181) * interval '1 day' + (g %% 600) * interval '1 minute' AS t
                  FROM generate_series(1, %s) AS g) AS s
        """, [category_id, ROWS])
        cursor.execute("""
            INSERT INTO service_unitdaystats (unit_id, day, dispatched, responded, concluded, resolved,
                concluded_on_time, rated, satisfied, basically_satisfied, unsatisfied)
            SELECT unit_id, (created_at AT TIME ZONE 'Asia/Shanghai')::date, count(*), count(*) FILTER (WHERE id % 10 > 0),
                count(*) FILTER (WHERE status <> 'signed'), count(*) FILTER (WHERE status = 'resolved'),
                count(*) FILTER (WHERE status <> 'signed' AND id % 7 > 0), count(*) FILTER (WHERE rating <> ''),
                count(*) FILTER (WHERE rating = 'satisfied'), count(*) FILTER (WHERE rating = 'basically'), 0
            FROM service_servicerequest GROUP BY 1, 2
        """)
        cursor.execute("ANALYZE")
    return time.monotonic() - started


# --- measuring -----------------------------------------------------------------------------------

# what citizens write about roads: the same complaint at the same place is a probable duplicate, as in real intake
COMPLAINTS = ["路面坑洼不平，雨天积水，行人车辆通行困难", "井盖破损松动，夜间行人容易踩空", "路灯不亮已有一周，夜间出行不安全",
              "人行道地砖翘起破损，老人孩子容易绊倒", "道路施工围挡占道，早晚高峰严重拥堵", "路边排水沟堵塞，下雨后污水漫到路面",
              "交通信号灯故障，路口车辆通行混乱", "桥梁护栏断裂，存在安全隐患", "道路标线模糊不清，夜间看不清车道",
              "乡村公路路基塌陷，大车无法通过", "减速带损坏，螺丝外露扎破轮胎", "公交站台顶棚破损漏雨",
              "路面有大量砂石撒漏，电动车容易滑倒", "树木倒伏压在路上，影响通行", "小区门口道路长期被车辆占用堵塞",
              "道路两侧垃圾堆积无人清理", "隧道内照明不足，行车视线差", "新修道路又被挖开，反复施工扰民",
              "路口缺少斑马线，学生过马路危险", "村道硬化后出现大面积裂缝"]
LUA = """
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local complaints = {%(complaints)s}
request = function()
  local lat = 34.80 + math.random() * 0.2
  local long = 112.60 + math.random() * 0.2
  local body = "api_key=%(key)s&service_code=roads&lat=" .. lat .. "&long=" .. long ..
    "&address_string=%%E4%%B8%%9C%%E9%%95%%87" .. math.random(1, 100000) ..
    "&description=" .. complaints[math.random(#complaints)] .. math.random(1, 1000) ..
    "&phone=138" .. string.format("%%08d", math.random(0, 99999999)) .. "&first_name=bench"
  return wrk.format("POST", "%(path)s", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""


def wrk(base, path, key, seconds=SECONDS):
    """(requests/s, p50 ms, p99 ms, errors, requests) from wrk --latency."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"key": key, "path": path,
                            "complaints": ", ".join(f'"{urllib.parse.quote(c)}"' for c in COMPLAINTS)})
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", script.name,
                          base + path], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rate, _ms(out, "50%"), _ms(out, "99%"), errors, count


def _ms(out, percentile):
    value, unit = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def time_page(url, cookie, count=None, stop=None):
    """Latencies (ms) of GETs one after another: `count` of them, or until `stop` is set."""
    times = []
    while (count is None or len(times) < count) and not (stop and stop.is_set()):
        request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            body = response.read().decode()
            if response.url != url or "综合" not in body:
                raise SystemExit(f"the ranking page did not answer as expected: {response.url}")
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values, share):
    return sorted(values)[min(len(values) - 1, int(share * len(values)))]


def backends():
    """Process ids of the PostgreSQL backends connected to the bench database (the site's connections)."""
    import psycopg
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME])}


def intake_counts():
    """(requests filed through Open311, of them flagged as probable duplicates, duplicate checks pending) so far."""
    import psycopg
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        return conn.execute("SELECT count(*), count(duplicate_of_id), (SELECT count(*) FROM "
                            "service_pendingduplicatecheck) FROM service_servicerequest WHERE channel = 'open311'"
                            ).fetchone()


def drain_duplicate_checks():
    """Start the background worker, as production runs it beside gunicorn, and time it through the duplicate
    checks the intake runs left pending: (checks, seconds)."""
    pending = intake_counts()[2]
    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
                               "--interval", "0.2"], env={**os.environ, **ENV}, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    try:
        while intake_counts()[2]:
            if worker.poll() is not None:
                raise SystemExit("the worker exited")
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait()
    return pending, time.monotonic() - started


def cpu_seconds(pids):
    """User + system CPU seconds the processes have used so far (those that have exited count as 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(server):
    """(gunicorn's workers, the PostgreSQL backends serving them): the CPU a request costs the server."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children], sorted(backends())


def measured(base, path, key, server):
    """wrk's figures and the server CPU per request (ms) in the workers and in PostgreSQL: a machine shared
    with other work changes req/s but hardly what one request costs."""
    workers, postgres = server_pids(server)
    before = cpu_seconds(workers), cpu_seconds(postgres)
    rate, p50, p99, errors, count = wrk(base, path, key)
    python, database = ((cpu_seconds(pids) - start) * 1000 / max(count, 1)
                        for pids, start in zip((workers, postgres), before))
    return rate, p50, p99, errors, python + database, python, database


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url, server):
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main():
    if subprocess.run(["which", "wrk"], capture_output=True).returncode:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    create_database()
    started = time.monotonic()
    key, cookie = prepare()
    print(f"database {DB_NAME}: {ROWS:,} requests and their counters generated in {time.monotonic() - started:.0f} s")
    from django.db import connections
    connections.close_all()
    port = PORT or free_port()
    base = f"http://127.0.0.1:{port}"
    threads = ["--threads", str(THREADS)] if THREADS > 1 else []  # --threads > 1 makes gunicorn use gthread
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "bench.requests:application()", "--chdir", str(ROOT),
                               "-b", f"127.0.0.1:{port}", "-w", str(WORKERS), *threads, "--log-level", "warning"],
                              env={**os.environ, **ENV}, cwd=ROOT)
    ranking_url = f"{base}/service/rankings/?month=2021-06"
    try:
        wait_until_up(f"{base}/open311/v2/services.json", server)
        time_page(ranking_url, cookie, count=3)  # warm up every worker's connection
        wrk(base, "/bare/", key, seconds=3)
        wrk(base, "/open311/v2/requests.json", key, seconds=3)  # every worker has loaded the rules
        before = backends()
        filed_before = intake_counts()
        rounds = [(measured(base, "/bare/", key, server), measured(base, "/open311/v2/requests.json", key, server))
                  for _ in range(ROUNDS)]
        after = backends()
        filed = intake_counts()[0] - filed_before[0]
        # the ranking page under that load: a run of its own, so the ratio above compares like with like
        stop = threading.Event()
        loaded_times = []
        thread = threading.Thread(target=lambda: loaded_times.extend(time_page(ranking_url, cookie, stop=stop)))
        thread.start()
        loaded_result = measured(base, "/open311/v2/requests.json", key, server)
        stop.set()
        thread.join()
        alone = time_page(ranking_url, cookie, count=30)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    checks, seconds = drain_duplicate_checks()
    flagged = intake_counts()[1] - filed_before[1]

    kind = f"gthread workers × {THREADS} threads" if THREADS > 1 else "sync workers"
    print(f"\ngunicorn {WORKERS} {kind} · wrk {CONNECTIONS} connections × {SECONDS} s · PostgreSQL · "
          f"{ROWS:,} requests")
    print(f"{'':44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'CPU ms':>7} {'= app':>6} {'+ PG':>5}"
          f"  (errors: non-2xx + wrk socket errors; CPU per request: gunicorn workers + PostgreSQL backends)")
    rows = [(f"{name}, round {n}", result) for n, pair in enumerate(rounds, start=1)
            for name, result in zip(("bare view (one INSERT)", "intake: Open311 POST requests.json"), pair)]
    for name, (rate, p50, p99, errors, cpu, python, database) in rows + [
            ("intake, the ranking page read meanwhile", loaded_result)]:
        print(f"{name:44} {rate:8.0f} {p50:8.1f} {p99:8.1f} {errors:7d} {cpu:7.2f} {python:6.2f} {database:5.2f}")
    bare_rate, intake_rate = (statistics.mean(pair[i][0] for pair in rounds) for i in (0, 1))
    bare_cpu, intake_cpu = (statistics.mean(pair[i][4] for pair in rounds) for i in (0, 1))
    print(f"{'intake / bare, mean of the rounds':44} {intake_rate / bare_rate:8.0%}   ({intake_rate:.0f} / "
          f"{bare_rate:.0f} req/s; by server CPU per request: {bare_cpu / intake_cpu:.0%}; each round: "
          f"{', '.join(f'{i[0] / b[0]:.0%}' for b, i in rounds)})")
    print(f"{'intake runs: requests stored':44} {filed:8d}")
    print(f"{'duplicate checks left to the worker':44} {checks:8d}   checked by one worker in {seconds:.1f} s "
          f"({checks / max(seconds, 0.001):.0f}/s) after the runs; {flagged / max(checks, 1):.0%} flagged")
    for name, times in [("ranking page, during intake (back to back)", loaded_times), ("ranking page, alone", alone)]:
        print(f"{name:44} {len(times):8d} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f} (p95)")
    print(f"database connections: {len(before)} before the intake run, {len(after)} after, "
          f"{len(before & after)} the same (persistent: {'yes' if before and before <= after else 'NO'})")


if __name__ == "__main__":
    main()
