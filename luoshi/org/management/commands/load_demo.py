"""Load the demo county into an empty database (`make run` calls this every time: a no-op once loaded)."""
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from luoshi.evaluation import demo as evaluation_demo
from luoshi.org import demo
from luoshi.projects import demo as projects_demo
from luoshi.service import demo as service_demo


class Command(BaseCommand):
    help = "加载演示县（单位、人员、2021年责任清单和半年的推进记录）；数据库已有数据时不做任何改动"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("生产环境（DEBUG 关闭）不加载演示数据：演示账号共用公开密码")
        started = time.monotonic()
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                # the demo's half year of history is not mailed to anyone (nor printed by the console backend)
                summary = demo.load()
                summary["projects"] = projects_demo.load()
                summary["requests"] = service_demo.load()
                summary["evaluation"] = evaluation_demo.load()  # last: it scores the data above
        except demo.AlreadyLoaded:
            self.stdout.write("数据库中已有单位数据，未加载演示数据（演示县只加载到空数据库）。")
            return
        lights = summary["lights"]
        self.stdout.write(
            f"演示县已加载（{time.monotonic() - started:.1f} 秒）：{summary['units']} 个单位，{summary['people']} 名人员，"
            f"{summary['tasks']} 项任务（由讲话分解发布），{summary['unit_rules']} 条分解规则，"
            f"{summary['reports']} 条进度填报，{summary['notices']} 份督办单，{summary['instructions']} 条领导批示；"
            f"红灯 {lights['red']}、黄灯 {lights['yellow']}、绿灯 {lights['green']}（截至 {demo.DEMO_TODAY}）；"
            f"重点项目 {summary['projects']['projects']} 个，招商线索 {summary['projects']['leads']} 条；"
            f"企业 {summary['requests']['enterprises']} 家，首席服务官 {summary['requests']['officers']} 名，"
            f"诉求 {summary['requests']['requests']} 件。")
        self.stdout.write(f"演示账号密码均为 {demo.PASSWORD}：督查室 office，县长 xianzhang，副县长 fuxianzhang1–5，"
                          f"商务局联络员 shangwu，西虢镇专干 xiguo、镇长 xiguo_head，系统管理 admin。")
        self.stdout.write(f"按演示日期查看红黄绿灯：LUOSHI_TODAY={demo.DEMO_TODAY}")
