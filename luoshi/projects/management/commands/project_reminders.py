"""Daily job for key projects: refresh lights, escalate overdue 协调事项 to the project's leader (idempotent).
Runs as a background job (luoshi/jobs) in this process, or with --enqueue by the worker."""
from django.core.management.base import BaseCommand

from luoshi.jobs.models import Job
from luoshi.jobs.services import run_for_command
from luoshi.projects import jobs, services


class Command(BaseCommand):
    help = "刷新重点项目红黄绿灯，逾期未答复的协调事项提交责任领导（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="交给后台处理进程（db_worker）运行，不等待结果")

    def handle(self, *args, enqueue=False, **options):
        on = services.today()
        run_for_command(self, jobs.project_reminders, Job.Kind.PROJECT_REMINDERS, str(on), enqueue,
                        on=on.isoformat())
