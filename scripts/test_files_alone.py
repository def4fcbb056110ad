"""Run every test file on its own, each in a fresh pytest process, and say which fail alone.

A file that passes in the whole suite but fails alone leans on something another file left behind (a table, a
fixture's side effect, a cached value); this finds it. ``--reverse`` also runs the whole suite once with the files in
reverse order, which finds a file that breaks what runs after it.

    .venv/bin/python scripts/test_files_alone.py [--database-url postgres://…] [--reverse] [FILE_OR_DIR …]

Prints one line per file (passed, or failed with the end of its output) and the time each took; exits 1 if any
failed. SQLite by default, as a developer runs a file; CI runs the suite itself on PostgreSQL.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--no-cov", "-q", "-x"]


def test_files(paths):
    found = []
    for path in paths or ["tests"]:
        path = ROOT / path
        found += sorted(path.rglob("test_*.py")) if path.is_dir() else [path]
    return [file.relative_to(ROOT) for file in found]


def run(arguments, environment):
    started = time.perf_counter()
    result = subprocess.run(
        [*PYTEST, *map(str, arguments)], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    return result, time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="test files or folders (default: tests/)")
    parser.add_argument("--database-url", default="", help="run against this database instead of SQLite")
    parser.add_argument("--reverse", action="store_true", help="also run the whole suite with the files reversed")
    args = parser.parse_args(argv)

    environment = {**os.environ, "SAMIZDAT_ENV": "test"}
    if args.database_url:
        environment["DATABASE_URL"] = args.database_url
    else:
        environment.pop("DATABASE_URL", None)
    files = test_files(args.paths)
    failed = []
    total = time.perf_counter()
    for file in files:
        result, seconds = run([file], environment)
        if result.returncode == 0:
            print(f"passed  {seconds:6.1f} s  {file}", flush=True)
        else:
            failed.append(file)
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
            print(f"FAILED  {seconds:6.1f} s  {file}\n{tail}\n", flush=True)
    if args.reverse:
        result, seconds = run(list(reversed(files)), environment)
        print(f"{'passed' if result.returncode == 0 else 'FAILED'}  {seconds:6.1f} s  the whole suite, files reversed")
        if result.returncode:
            failed.append("(reversed order)")
            print("\n".join((result.stdout + result.stderr).strip().splitlines()[-25:]))
    print(
        f"\n{len(files) - len([f for f in failed if f != '(reversed order)'])} of {len(files)} files pass alone"
        f"{'; the reversed suite ' + ('fails' if '(reversed order)' in failed else 'passes') if args.reverse else ''}"
        f" ({time.perf_counter() - total:.0f} s)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
