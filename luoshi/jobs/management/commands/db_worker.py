"""django-tasks-db's worker, started the Luoshi way: named host:pid, and first declaring interrupted the jobs of
workers that died on this host (or went silent elsewhere), so none shows 'running' forever."""
from django_tasks_db.management.commands import db_worker

from luoshi.jobs import services


class Command(db_worker.Command):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=services.worker_id())

    def handle(self, *args, **options):
        for job in services.recover_interrupted():
            self.stderr.write(f"后台处理 #{job.pk}（{job}）被中断，已标记为未完成")
        super().handle(*args, **options)
