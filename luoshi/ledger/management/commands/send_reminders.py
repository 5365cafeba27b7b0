"""Refresh lights, escalate overdue notices and email due-soon/overdue reminders. Safe to run as often as you like:
each reminder is logged before it is sent, so a second run sends nothing twice.

Runs as a background job (luoshi/jobs), so the office sees each run and its result in the console: by default in
this process (cron waits for it and gets its exit status), with --enqueue by the worker."""
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from luoshi.jobs.models import Job
from luoshi.jobs.services import run_for_command
from luoshi.ledger import jobs, services


def iso_date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”格式不对，应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "计算红黄绿灯，督办单逾期提级，发送临期、超期提醒（重复运行不会重复发送）"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=iso_date, help="按哪一天计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--loop", type=int, metavar="SECONDS",
                            help="每隔 SECONDS 秒运行一次，直到中断（没有 cron 时使用）")
        parser.add_argument("--enqueue", action="store_true", help="交给后台处理进程（db_worker）运行，不等待结果")

    def handle(self, *args, date=None, loop=None, enqueue=False, **options):
        if loop is not None and loop <= 0:
            raise CommandError("--loop 应为正整数（秒）")
        try:
            while True:
                on = date or services.today()
                run_for_command(self, jobs.send_reminders, Job.Kind.REMINDERS, str(on), enqueue, on=on.isoformat())
                if not loop:
                    return
                time.sleep(loop)
        except KeyboardInterrupt:  # Ctrl-C ends a --loop run; every reminder sent so far is logged
            self.stdout.write("已停止")
