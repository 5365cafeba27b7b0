"""`luoshi gen`: a realistic province-scale dataset for benchmarks (see luoshi/org/gen.py)."""
import time

from django.core.management.base import BaseCommand, CommandError

from luoshi.org.gen import Generator, NotEmpty


class Command(BaseCommand):
    help = "生成省级规模的测试数据（单位、人员、任务、项目、诉求及其办理记录和日计数）；只在空库上运行"

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=2000)
        parser.add_argument("--tasks", type=int, default=100_000)
        parser.add_argument("--requests", type=int, default=1_000_000)
        parser.add_argument("--projects", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--year", type=int, default=2021)
        parser.add_argument("--password", default="gen12345", help="password of every generated login")
        parser.add_argument("--force-append", action="store_true", help="add to a database that already has data")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **o):
        from luoshi.org.gen import Progress

        if o["units"] < 1 or min(o["tasks"], o["requests"], o["projects"]) < 0:
            raise CommandError("--units ≥ 1; --tasks, --requests, --projects ≥ 0")
        started = time.perf_counter()
        gen = Generator(units=o["units"], tasks=o["tasks"], requests=o["requests"], projects=o["projects"],
                        seed=o["seed"], year=o["year"], password=o["password"], force_append=o["force_append"],
                        progress=Progress(stream=self.stderr._out, quiet=o["quiet"]))
        try:
            counts = gen.run()
        except NotEmpty as e:
            raise CommandError(str(e)) from None
        elapsed = time.perf_counter() - started
        rows = sum(counts.values())
        self.stdout.write(f"generated {rows:,} rows in {elapsed:.1f} s ({rows / max(elapsed, 1e-9):,.0f} rows/s)")
        for label, n in sorted(counts.items()):
            self.stdout.write(f"  {label:<28} {n:>10,}")
