"""Daily job for key projects: refresh lights, escalate overdue 协调事项 to the project's leader (idempotent)."""
from django.core.management.base import BaseCommand

from luoshi.projects import services


class Command(BaseCommand):
    help = "刷新重点项目红黄绿灯，逾期未答复的协调事项提交责任领导（可重复运行）"

    def handle(self, *args, **options):
        result = services.send_reminders()
        self.stdout.write(f"重点项目灯色变化 {result['lights_changed']} 个，协调事项提级 {result['escalated']} 项。")
