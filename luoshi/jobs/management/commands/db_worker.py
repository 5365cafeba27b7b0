"""django-tasks-db's worker, started the Luoshi way: named host:pid, and first declaring interrupted the jobs of
workers that died on this host (or went silent elsewhere), so none shows 'running' forever. Beside the jobs, a
thread of the worker flags the probable duplicates of API and Open311 intakes, a moment after intake."""
import logging
import os
import threading
import time

from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from luoshi.jobs import services
from luoshi.service.services import check_pending_duplicates

logger = logging.getLogger(__name__)


def check_duplicates_forever(interval):
    """Take pending duplicate checks as they come (batch after batch while there are some, else every
    `interval` seconds). A failed batch stays pending and is tried again."""
    while True:
        try:
            if not check_pending_duplicates():
                time.sleep(interval)
        except Exception:
            logger.exception("duplicate check failed; retrying")
            time.sleep(max(interval, 1))
        finally:
            close_old_connections()


class Command(db_worker.Command):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=services.worker_id())

    def handle(self, *args, **options):
        for job in services.recover_interrupted():
            self.stderr.write(f"后台处理 #{job.pk}（{job}）被中断，已标记为未完成")
        # in the process that runs jobs (with --reload, the reloader's child), as a daemon: it ends with the
        # worker, mid-batch at worst (rolled back)
        if not options["batch"] and (not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"):
            threading.Thread(target=check_duplicates_forever, args=(options["interval"],), daemon=True,
                             name="duplicates").start()
        super().handle(*args, **options)
