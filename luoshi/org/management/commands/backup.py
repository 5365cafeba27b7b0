"""`luoshi backup FILE`: SQLite online backup API, or pg_dump -Fc on PostgreSQL (see luoshi/org/backup.py)."""
import time

from django.core.management.base import BaseCommand, CommandError

from luoshi.org import backup


class Command(BaseCommand):
    help = "备份数据库到文件（SQLite 在线备份；PostgreSQL 用 pg_dump -Fc）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--checksum", action="store_true",
                            help="also print the row count and checksum of every table (reads every row)")

    def handle(self, *args, **o):
        started = time.perf_counter()
        try:
            backup.backup(o["file"])
        except backup.BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"backed up to {o['file']} in {time.perf_counter() - started:.1f} s")
        if o["checksum"]:
            print_checksum(self.stdout)


def print_checksum(out):
    sums = backup.checksum()
    for table, (n, d) in sums.items():
        out.write(f"  {table:<40} {n:>10,} {d[:16]}")
    out.write(f"{sum(n for n, _ in sums.values()):,} rows in {len(sums)} tables, checksum {backup.digest(sums)}")
