"""`luoshi backup FILE` / `luoshi restore FILE`, and a DB-agnostic checksum of every table.

SQLite: the online backup API (sqlite3.Connection.backup) — a consistent copy while the site keeps serving;
restoring copies the file back page by page into the live database.
PostgreSQL: pg_dump -Fc (custom format, compressed) and pg_restore --clean --if-exists --single-transaction, with
host, port, user, password and database from DATABASE_URL (the password goes in PGPASSWORD, never on the
command line).

checksum() reads every model's table (and the migration history) through the ORM, ordered by primary key, and
hashes the Python values, so the same data gives the same digest on either backend.
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess

from django.apps import apps
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder


class BackupError(Exception):
    pass


def _pg_env_args():
    s = connection.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = []
    if s.get("HOST"):
        args += ["-h", str(s["HOST"])]
    if s.get("PORT"):
        args += ["-p", str(s["PORT"])]
    if s.get("USER"):
        args += ["-U", str(s["USER"])]
    return env, args, s["NAME"]


def _run(cmd, env):
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} not found: install the PostgreSQL client tools (postgresql-client)")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed ({done.returncode}): {done.stderr.strip()[:2000]}")


def backup(path):
    """Write a consistent copy of the database to path."""
    path = os.fspath(path)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("backup inside a transaction would copy uncommitted rows")
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        env, args, name = _pg_env_args()
        _run(["pg_dump", "-Fc", "--no-owner", "-f", path, *args, name], env)
    else:
        raise BackupError(f"no backup for {connection.vendor}")


def restore(path):
    """Replace the database's contents with the backup at path."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise BackupError(f"{path}: no such file")
    if connection.vendor == "sqlite":
        with open(path, "rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{path} is not an SQLite database (a PostgreSQL backup restores on PostgreSQL)")
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("restore inside a transaction")
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        with open(path, "rb") as f:
            if f.read(5) != b"PGDMP":
                raise BackupError(f"{path} is not a pg_dump -Fc archive")
        env, args, name = _pg_env_args()
        connection.close()  # our own idle session holds nothing, but let it go before tables are dropped
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "-d", name, *args,
              path], env)
    else:
        raise BackupError(f"no restore for {connection.vendor}")


def _norm(value):
    # the same Python value on both backends: datetimes are aware (UTC), decimals normalised, json sorted
    if isinstance(value, float):
        return repr(round(value, 9))
    if hasattr(value, "normalize") and hasattr(value, "as_tuple"):  # Decimal
        return str(value.normalize())
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return repr(value)


def table_models():
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    return sorted([*models, MigrationRecorder.Migration], key=lambda m: m._meta.db_table)


def checksum():
    """{table: (rows, sha256)} over every table, rows ordered by primary key."""
    result = {}
    for model in table_models():
        names = [f.attname for f in model._meta.concrete_fields]
        digest, n = hashlib.sha256(), 0
        for row in model._base_manager.order_by("pk").values_list(*names).iterator(chunk_size=5000):
            digest.update("\x1f".join(_norm(v) for v in row).encode())
            digest.update(b"\x1e")
            n += 1
        result[model._meta.db_table] = (n, digest.hexdigest())
    return result


def digest(sums):
    """One hex digest for a whole checksum() result."""
    h = hashlib.sha256()
    for table, (n, d) in sorted(sums.items()):
        h.update(f"{table}:{n}:{d}\n".encode())
    return h.hexdigest()
