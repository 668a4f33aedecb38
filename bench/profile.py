"""Where one request's time goes: its queries, slowest first, and the Python functions it spent time in.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vip_benchdata \
        python -m bench.profile /cn/board/ --as bench_lead [--explain] [--top 25]

The request is made in-process with Django's test client, signed in as a bench persona exactly as the load
run signs in (`bench.auth`), once to warm up and once measured. Use it to find what to fix before
re-running `make bench`; it measures one request alone, not the load.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time

from bench.generate import setup_django


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="a path, or several separated by commas (a POST needs 7: one each request)")
    parser.add_argument("--as", dest="username", default="bench_lead")
    parser.add_argument("--token", action="store_true", help="sign in with an API token instead of a session")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the three slowest queries")
    parser.add_argument(
        "--post", metavar="JSON", help="POST this JSON body (each request: give paths that can take it)"
    )
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--width", type=int, default=600, help="characters of each query shown")
    parser.add_argument("--show", type=int, default=10, help="how many of the slowest queries to print")
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime, ...")
    args = parser.parse_args(argv)
    setup_django()

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.auth import make_session, make_token

    user = User.objects.get(username=args.username)
    if args.token:
        client = Client(HTTP_AUTHORIZATION=f"Token {make_token(user)}", HTTP_ACCEPT="application/json")
    else:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = make_session(user)
    client.get("/healthz")

    paths = args.path.split(",")

    def request(n: int):
        path = paths[n % len(paths)]
        if args.post is not None:
            return client.post(path, data=args.post, content_type="application/json")
        return client.get(path)

    first = request(0)  # warm: URLconf, templates, the database's cache
    print(f"{args.path} as {args.username}: {first.status_code}")
    times, cpu = [], []
    for n in range(1, 6):  # without the profiler's overhead: what one request alone costs
        started, started_cpu = time.perf_counter(), time.process_time()
        request(n)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(
        f"alone: median {sorted(times)[2]:.1f} ms of 5 (min {min(times):.1f}); this process's CPU "
        f"{sorted(cpu)[2]:.1f} ms (the rest is the database and waiting: a busy machine inflates it)"
    )

    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        profiler.enable()
        request(6)
        profiler.disable()
        elapsed = (time.perf_counter() - started) * 1000
    queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
    total_sql = sum(float(q["time"]) for q in queries) * 1000
    print(f"profiled: {elapsed:.1f} ms in all, {len(queries)} queries taking {total_sql:.1f} ms\n")
    for query in queries[: args.show]:
        print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][: args.width]}\n")
    if args.explain:
        with connection.cursor() as cursor:
            for query in queries[:3]:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()), "\n")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
