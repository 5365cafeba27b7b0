"""`luoshi restore FILE`: replace the database with a backup made by `luoshi backup`."""
import time

from django.core.management.base import BaseCommand, CommandError

from luoshi.org import backup

from .backup import print_checksum


class Command(BaseCommand):
    help = "从备份文件恢复数据库（覆盖现有数据）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="do not ask for confirmation")
        parser.add_argument("--checksum", action="store_true", help="print every table's count and checksum after")

    def handle(self, *args, **o):
        if o["interactive"]:
            answer = input(f"用 {o['file']} 覆盖当前数据库的全部数据？输入 yes 继续: ")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消")
        started = time.perf_counter()
        try:
            backup.restore(o["file"])
        except backup.BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"restored from {o['file']} in {time.perf_counter() - started:.1f} s")
        if o["checksum"]:
            print_checksum(self.stdout)
