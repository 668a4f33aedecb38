"""A PostgreSQL streaming standby of a local cluster, for the replica test and the bench (issue 21, part 5).

    python scripts/replica.py start --primary postgresql://postgres@127.0.0.1:5432/postgres --port 5433
        pg_basebackup -R from the primary into var/replica-PORT (--data-dir to choose), a second server on
        127.0.0.1:PORT with the primary's major version's binaries, waits until it accepts connections and is in
        recovery, and prints its server URL on the last line of stdout: postgresql://postgres@127.0.0.1:5433/
        (add a database name to it). Exits 0 with the standby left running.
    python scripts/replica.py stop --port 5433
        stops it (fast shutdown) and removes its data directory. Nothing there: nothing to do, exit 0.
    python scripts/replica.py allow --primary postgresql://postgres@127.0.0.1:5432/postgres
        only makes sure the primary allows replication connections from this host (.ci/run, before the tests).

The primary must allow replication connections from this host. When its pg_hba.conf has no `replication`
line, a superuser whose hba_file this process may write gets one added (`host replication all 127.0.0.1/32
trust`, or `local replication all trust` for a socket) and the configuration reloaded, and this is said on
stderr; otherwise the script stops and names the line to add. PostgreSQL refuses to run as root: as root,
the server and pg_basebackup run as the `postgres` user (runuser), which owns the data directory.

The standby has no replication slot: it streams the primary's WAL while it runs, and if it falls further
behind than the primary keeps WAL it stops replaying (its log says so); a slot left behind by a crash would
keep the shared primary's WAL forever instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VIP_VAR_DIR", ROOT / "var"))
OS_USER = "postgres"  # who runs the server when this script runs as root
# Settings a hot standby must have at least as high as its primary's (PostgreSQL refuses to start otherwise).
AT_LEAST_THE_PRIMARYS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
WAIT_SECONDS = 120


class Refused(Exception):
    """The standby cannot be made: the message says why and what to do."""


def say(message: str) -> None:
    print(f"replica: {message}", file=sys.stderr, flush=True)


def data_dir_for(port: int, given: str | None) -> Path:
    return Path(given).resolve() if given else VAR_DIR / f"replica-{port}"


def as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", OS_USER, "--", *command] if os.geteuid() == 0 else command


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=False, capture_output=True, text=True, **kwargs)  # noqa: S603 - our own


# --- the primary ---------------------------------------------------------------------------------------------


def connect(url: str):
    import psycopg2

    connection = psycopg2.connect(url, connect_timeout=10)
    connection.autocommit = True
    return connection


def primary_facts(connection) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('server_version_num')::int / 10000, current_setting('wal_level'),"
            " current_setting('max_wal_senders')::int, current_setting('hba_file'),"
            " (SELECT rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user),"
            " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
        )
        major, wal_level, senders, hba_file, may_replicate, superuser = cursor.fetchone()
        cursor.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(AT_LEAST_THE_PRIMARYS)])
        at_least = dict(cursor.fetchall())
    return {
        "major": major,
        "wal_level": wal_level,
        "senders": senders,
        "hba_file": hba_file,
        "may_replicate": may_replicate,
        "superuser": superuser,
        "at_least": at_least,
    }


def hba_line(host: str) -> str:
    if host.startswith("/"):
        return "local replication all trust"
    return f"host replication all {host}/32 trust" if host[0].isdigit() else "host replication all samehost trust"


def allows_replication(connection) -> bool:
    """Whether pg_hba.conf has any line for replication connections (`all` does not cover them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND error IS NULL")
        return cursor.fetchone()[0] > 0


def ensure_replication_allowed(connection, facts: dict, host: str) -> None:
    if facts["wal_level"] == "minimal" or facts["senders"] < 1:
        raise Refused(
            f"The primary has wal_level={facts['wal_level']} and max_wal_senders={facts['senders']}: a standby "
            "needs wal_level=replica (or logical) and max_wal_senders >= 1 (a restart of the primary)."
        )
    if not facts["may_replicate"]:
        raise Refused("The primary URL's role may not replicate: use a superuser or a role WITH REPLICATION.")
    line = hba_line(host)
    if not facts["superuser"]:
        return  # pg_hba_file_rules is a superuser's view: pg_basebackup will say if it is refused
    if allows_replication(connection):
        return
    hba = Path(facts["hba_file"])
    if not os.access(hba, os.W_OK):
        raise Refused(
            f"The primary's {hba} has no line for replication connections and this process may not write it. "
            f"Add this line to it, then reload the primary (SELECT pg_reload_conf()):\n    {line}"
        )
    with hba.open("a") as file:
        file.write(f"\n# added by scripts/replica.py (the VIP replica test and bench): a local standby\n{line}\n")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_reload_conf()")
    say(f"added `{line}` to {hba} and reloaded the primary's configuration")
    for _ in range(50):  # the postmaster reloads asynchronously
        if allows_replication(connection):
            return
        time.sleep(0.1)
    raise Refused(f"Added `{line}` to {hba}, but the reloaded configuration does not show it.")


# --- the standby ---------------------------------------------------------------------------------------------


def bin_dir(major: int, given: str | None) -> Path:
    if given:
        return Path(given)
    debian = Path(f"/usr/lib/postgresql/{major}/bin")
    if (debian / "pg_ctl").exists():
        return debian
    pg_config = shutil.which("pg_config")
    if pg_config:
        return Path(run([pg_config, "--bindir"]).stdout.strip())
    raise Refused(f"No PostgreSQL {major} binaries found (/usr/lib/postgresql/{major}/bin): give --bindir.")


def write_config(data_dir: Path, port: int, facts: dict) -> None:
    """The standby's own configuration: Debian's clusters keep theirs in /etc, outside the data directory."""
    settings = {
        "port": port,
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{data_dir}'",
        "hot_standby": "on",
        "hot_standby_feedback": "on",  # the reports' long reads are not cancelled by the primary's vacuum
        "max_standby_streaming_delay": "'30s'",
        "logging_collector": "off",
        "fsync": "off",  # a throw-away copy
        **facts["at_least"],
    }
    (data_dir / "postgresql.conf").write_text("".join(f"{key} = {value}\n" for key, value in settings.items()))
    (data_dir / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data_dir / "pg_ident.conf").write_text("")


def chown_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, OS_USER, OS_USER)
        for child in path.rglob("*"):
            shutil.chown(child, OS_USER, OS_USER)


def standby_url(port: int, database: str = "") -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/{database}"


def wait_until_in_recovery(port: int) -> None:
    import psycopg2

    deadline = time.monotonic() + WAIT_SECONDS
    last = ""
    while time.monotonic() < deadline:
        try:
            connection = connect(standby_url(port, "postgres"))
        except psycopg2.OperationalError as exc:
            last = str(exc).strip()
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                in_recovery = cursor.fetchone()[0]
            connection.close()
            if in_recovery:
                return
            raise Refused(f"The server on port {port} answers but is not in recovery: it is not a standby.")
        time.sleep(0.2)
    raise Refused(f"The standby on port {port} did not accept connections within {WAIT_SECONDS} s: {last}")


def allow(primary: str) -> dict:
    """Make sure the primary allows this host's replication connections; the primary's facts."""
    connection = connect(primary)
    try:
        facts = primary_facts(connection)
        ensure_replication_allowed(connection, facts, unquote(urlparse(primary).hostname or "127.0.0.1"))
    finally:
        connection.close()
    return facts


def start(primary: str, port: int, data_dir: Path, given_bindir: str | None) -> str:
    parsed = urlparse(primary)
    host = unquote(parsed.hostname or "127.0.0.1")
    if data_dir.exists():
        raise Refused(f"{data_dir} exists: a standby is there already (`stop --port {port}` removes it).")
    facts = allow(primary)
    bindir = bin_dir(facts["major"], given_bindir)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(mode=0o700)
    chown_to_server_user(data_dir)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = unquote(parsed.password)
    backup = [str(bindir / "pg_basebackup"), "-h", host, "-p", str(parsed.port or 5432)]
    backup += ["-U", unquote(parsed.username or "postgres"), "-D", str(data_dir), "-R", "-X", "stream"]
    backup += ["-c", "fast", "--no-sync", "-w"]
    try:
        started = time.monotonic()
        done = run(as_server_user(backup), env=env)
        if done.returncode != 0:
            raise Refused(f"pg_basebackup failed: {done.stderr.strip()}")
        say(f"base backup of {host}:{parsed.port or 5432} copied in {time.monotonic() - started:.1f} s")
        write_config(data_dir, port, facts)
        chown_to_server_user(data_dir)
        log = data_dir / "standby.log"
        ctl = [str(bindir / "pg_ctl"), "-D", str(data_dir), "-l", str(log), "-w", "-t", str(WAIT_SECONDS), "start"]
        done = run(as_server_user(ctl))
        if done.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise Refused(f"The standby did not start: {done.stdout.strip()} {done.stderr.strip()}\n{tail}")
        wait_until_in_recovery(port)
    except BaseException:
        stop(port, data_dir, given_bindir, major=facts["major"])
        raise
    return standby_url(port)


def stop(port: int, data_dir: Path, given_bindir: str | None, *, major: int | None = None) -> None:
    if not data_dir.exists():
        return
    version = data_dir / "PG_VERSION"
    if major is None and version.exists():
        major = int(version.read_text().split(".")[0])
    if (data_dir / "postmaster.pid").exists() and major is not None:
        bindir = bin_dir(major, given_bindir)
        done = run(as_server_user([str(bindir / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"]))
        if done.returncode != 0 and (data_dir / "postmaster.pid").exists():
            say(f"pg_ctl stop: {done.stderr.strip() or done.stdout.strip()}")
    shutil.rmtree(data_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    starting = commands.add_parser("start", help="make and start a standby; print its server URL last")
    starting.add_argument("--primary", required=True, help="a superuser's (or replication role's) URL")
    stopping = commands.add_parser("stop", help="stop the standby and remove its data directory")
    allowing = commands.add_parser("allow", help="make sure the primary allows replication from this host")
    allowing.add_argument("--primary", required=True)
    for sub in (starting, stopping):
        sub.add_argument("--port", type=int, default=5433)
        sub.add_argument("--data-dir", help="default: var/replica-PORT")
        sub.add_argument("--bindir", help="the PostgreSQL binaries (default: the primary's major version's)")
    args = parser.parse_args(argv)
    try:
        if args.command == "allow":
            allow(args.primary)
            return 0
        data_dir = data_dir_for(args.port, args.data_dir)
        if args.command == "start":
            print(start(args.primary, args.port, data_dir, args.bindir), flush=True)
        else:
            stop(args.port, data_dir, args.bindir)
    except Refused as refused:
        say(str(refused))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
