"""`luoshi backup` / `luoshi restore` round-trip to an identical dataset (counts and a checksum of every table)."""
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from luoshi.ledger.models import Task
from luoshi.org import backup
from luoshi.org.models import Unit
from luoshi.service.models import RequestEvent

pytestmark = pytest.mark.django_db(transaction=True)

sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="DATABASE_URL is not SQLite")
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="DATABASE_URL is not PostgreSQL")


def dataset():
    call_command("gen", "--units=6", "--tasks=15", "--requests=60", "--projects=3", "--quiet", stdout=io.StringIO())


def scribble():
    """Changes after the backup that the restore must undo."""
    Task.objects.filter(pk=Task.objects.first().pk).update(title="改动")
    Unit.objects.create(name="备份之后新建的单位", kind=Unit.Kind.DEPARTMENT)
    with connection.cursor() as cursor:  # what no code path may do, a restore must still undo
        cursor.execute(f"DELETE FROM {RequestEvent._meta.db_table} WHERE kind = 'rated'")


def roundtrip(tmp_path, suffix):
    dataset()
    before = backup.checksum()
    assert before["ledger_task"][0] == 15 and before["django_migrations"][0] > 0
    path = tmp_path / f"luoshi{suffix}"
    out = io.StringIO()
    call_command("backup", str(path), "--checksum", stdout=out)
    assert path.stat().st_size > 0 and backup.digest(before) in out.getvalue()
    scribble()
    changed = backup.checksum()
    assert changed != before
    call_command("restore", str(path), "--noinput", stdout=io.StringIO())
    after = backup.checksum()
    assert after == before
    assert Task.objects.count() == 15 and not Unit.objects.filter(name="备份之后新建的单位").exists()
    # the restored database is live: ids continue after the restored rows
    assert Unit.objects.create(name="恢复后新建", kind=Unit.Kind.DEPARTMENT).pk > max(
        Unit.objects.exclude(name="恢复后新建").values_list("pk", flat=True))


@sqlite_only
def test_sqlite_roundtrip(tmp_path):
    roundtrip(tmp_path, ".sqlite3")


@postgres_only
def test_postgresql_roundtrip(tmp_path):
    roundtrip(tmp_path, ".dump")


def test_checksum_sees_every_table_and_any_change():
    dataset()
    sums = backup.checksum()
    tables = {t for t in connection.introspection.table_names() if not t.startswith("sqlite_")}  # ANALYZE's stats
    assert tables <= set(sums), tables - set(sums)
    Task.objects.filter(pk=Task.objects.last().pk).update(progress=1 + Task.objects.last().progress % 99)
    assert backup.checksum()["ledger_task"] != sums["ledger_task"]


def test_restore_refuses_a_wrong_file(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a backup at all")
    with pytest.raises(CommandError):
        call_command("restore", str(bad), "--noinput")
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing"), "--noinput")
