"""Time the reminder sweep over every open CN of the bench database, and its memory, in a process of its own.

    DATABASE_URL=... python -m bench.sweep        -> one line "SWEEPJSON {...}"

Memory is read from the kernel (VmRSS before the sweep, VmHWM after), so the figure has no tracing overhead
and includes what the database driver holds: a sweep that loads every CN at once shows up as growth that
follows the number of CNs; one that streams or works in batches stays flat from one scale to the next.
"""

from __future__ import annotations

import inspect
import json
import time

from bench.generate import setup_django


def _status(field: str) -> float:
    """A VmRSS / VmHWM figure of this process, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
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
    before = _status("VmRSS")
    started = time.monotonic()
    result = reminders_sweep(**kwargs)
    seconds = time.monotonic() - started
    peak = _status("VmHWM")
    print(
        "SWEEPJSON "
        + json.dumps(
            {
                "available": True,
                "open_cns": open_cns,
                "seconds": round(seconds, 3),
                "rss_before_mb": round(before, 1),
                "peak_rss_mb": round(peak, 1),
                "rss_growth_mb": round(peak - before, 1),
                "result": str(result)[:200],
            }
        )
    )


if __name__ == "__main__":
    main()
