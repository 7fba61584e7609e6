"""Every benchmark, one after another, each printing its figures:

    python -m bench            # the sizes the targets are stated for (about 15-20 minutes)
    python -m bench --quick    # small sizes, to check they all still run (about 2 minutes)
    python -m bench store entry  # only these

Each benchmark is also a script of its own (see its docstring for its options). They run as
child processes so that one's memory and caches never flatter the next one's figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name: (arguments at full size, arguments for --quick)
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "store": ([], ["5000"]),
    "entry": ([], ["2000", "20"]),
    "forms": ([], ["--forms", "100", "--repeat", "1"]),
    "print_batch": ([], ["--per-cell", "10", "--repeat", "1"]),
    "analysis": ([], ["--returns", "20000", "--repeat", "1"]),
    "analysis_screen": ([], ["--returns", "2000"]),
    "builder": ([], []),
    "migration": ([], ["2000"]),
    "disclosure": ([], ["--returns", "5000"]),
    "scan": ([], ["--forms", "2"]),
    "import": ([], ["--rows", "20000"]),
    "startup": ([], ["--repeat", "1"]),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all): {', '.join(BENCHES)}")
    parser.add_argument("--quick", action="store_true", help="small sizes: checks they run, figures not comparable")
    args = parser.parse_args(argv)
    if unknown := [n for n in args.names if n not in BENCHES]:
        parser.error(f"no benchmark {', '.join(unknown)}; there are {', '.join(BENCHES)}")
    failed = []
    for name in args.names or list(BENCHES):
        full, quick = BENCHES[name]
        command = [sys.executable, str(HERE / f"{name}_bench.py"), *(quick if args.quick else full)]
        print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
        start = time.perf_counter()
        if subprocess.run(command).returncode != 0:
            failed.append(name)
        print(f"=== {name}: {time.perf_counter() - start:.0f} s", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
