"""`python -m tests.sim --seeds N [--first S] [--jobs J]`, or `--seed S` to replay one schedule."""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def _environment() -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1")


def run_seeds(seeds: list[int], verbose: bool = False) -> tuple[int, int, list[tuple[int, list[str]]]]:
    """Run schedules in this process; (schedules, requests, failures)."""
    _environment()
    from .simulation import World, run_schedule

    world = World()
    failures, requests = [], 0
    try:
        for seed in seeds:
            report = run_schedule(seed, world)
            requests += report.requests
            if verbose:
                print(f"seed {seed}: {report.requests} requests, {report.steps} steps, faults {report.stats}")
            if not report.ok:
                failures.append((seed, report.problems))
    finally:
        world.close()
    return len(seeds), requests, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.sim")
    parser.add_argument("--seeds", type=int, default=1000, help="how many schedules")
    parser.add_argument("--first", type=int, default=0, help="the first seed")
    parser.add_argument("--seed", type=int, help="replay this one schedule, verbosely")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.seed is not None:
        done, requests, failures = run_seeds([args.seed], verbose=True)
    else:
        seeds = list(range(args.first, args.first + args.seeds))
        slices = [seeds[i::args.jobs] for i in range(args.jobs)]
        done = requests = 0
        failures = []
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            for n, r, f in pool.map(run_seeds, slices):
                done, requests, failures = done + n, requests + r, failures + f
    for seed, problems in sorted(failures):
        print(f"\nFAILED seed {seed}:")
        for problem in problems:
            print(f"  - {problem}")
        print(f"  replay: make simulate SEED={seed}")
    print(f"\n{done} schedules, {requests} requests, {len(failures)} failed, "
          f"{time.monotonic() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
