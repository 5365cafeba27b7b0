"""Refresh lights, escalate overdue notices and email due-soon/overdue reminders. Safe to run as often as you like:
each reminder is logged before it is sent, so a second run sends nothing twice."""
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from luoshi.ledger import services
from luoshi.projects import services as projects


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

    def handle(self, *args, date=None, loop=None, **options):
        if loop is not None and loop <= 0:
            raise CommandError("--loop 应为正整数（秒）")
        try:
            while True:
                on = date or services.today()
                sent = services.send_reminders(on)
                project_run = projects.send_reminders(on)  # the daily job covers key projects too
                self.stdout.write(f"{on}：发送提醒 {sent} 条；重点项目协调事项提级 {project_run['escalated']} 件")
                if not loop:
                    return
                time.sleep(loop)
        except KeyboardInterrupt:  # Ctrl-C ends a --loop run; every reminder sent so far is logged
            self.stdout.write("已停止")
