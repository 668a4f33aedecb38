"""Time the reminder sweep over every open CN of the bench database, and its memory, in a process of its own.

    DATABASE_URL=... python -m bench.sweep             -> one line "SWEEPJSON {...}"
    DATABASE_URL=... python -m bench.sweep --profile   -> also where the time went (cProfile, on stderr),
                                                          and the CPU time of the database's process

Memory is read from the kernel (VmRSS before the sweep, VmHWM after), so the figure has no tracing overhead
and includes what the database driver holds: a sweep that loads every CN at once shows up as growth that
follows the number of CNs; one that streams or works in batches stays flat from one scale to the next.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import time

from bench.generate import setup_django


def _status(field: str) -> float:
    """A VmRSS / VmHWM figure of this process, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _backend_cpu_seconds() -> float | None:
    """CPU time of this process's PostgreSQL backend (same machine): the sweep's database work, apart from
    the time it waited for a CPU on a busy machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:  # the server is on another machine
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions on stderr")
    options = parser.parse_args()
    setup_django()
    from notifications.models import Delivery

    open_cns = Delivery.objects.open().count()
    try:
        from notifications.reminders import reminders_sweep
    except ImportError as error:
        print("SWEEPJSON " + json.dumps({"available": False, "error": str(error), "open_cns": open_cns}))
        return
    kwargs = {}
    if "now" in inspect.signature(reminders_sweep).parameters:
        from django.utils import timezone

        kwargs["now"] = timezone.now()
    profile = None
    if options.profile:
        import cProfile

        profile = cProfile.Profile()
    db_cpu_before = _backend_cpu_seconds()
    before = _status("VmRSS")
    started, cpu_started = time.monotonic(), time.process_time()
    if profile:
        profile.enable()
    result = reminders_sweep(**kwargs)
    if profile:
        profile.disable()
    seconds, cpu_seconds = time.monotonic() - started, time.process_time() - cpu_started
    peak = _status("VmHWM")
    db_cpu_after = _backend_cpu_seconds()
    if profile:
        import pstats

        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    print(
        "SWEEPJSON "
        + json.dumps(
            {
                "available": True,
                "open_cns": open_cns,
                "seconds": round(seconds, 3),
                "python_cpu_s": round(cpu_seconds, 2),
                "db_cpu_s": round(db_cpu_after - db_cpu_before, 2) if db_cpu_before is not None else None,
                "rss_before_mb": round(before, 1),
                "peak_rss_mb": round(peak, 1),
                "rss_growth_mb": round(peak - before, 1),
                "result": str(result)[:200],
            }
        )
    )


if __name__ == "__main__":
    main()
