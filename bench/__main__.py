"""``python -m bench`` runs every benchmark with modest sizes; ``python -m bench NAME [options]`` runs one.

Benchmarks print figures and ratios against a baseline measured in the same run; they never assert on time.
"""

from __future__ import annotations

import argparse
import sys
import time
from types import ModuleType

from bench import (
    append_throughput,
    console_pages,
    deadline_list,
    documents,
    http,
    instructions,
    integrator_work,
    merkle,
    probes,
    replay,
    scale,
    verification,
)
from bench.common import console, machine_line

BENCHMARKS: dict[str, ModuleType] = {
    m.NAME: m
    for m in (
        merkle,
        append_throughput,
        scale,
        probes,
        verification,
        replay,
        http,
        documents,
        console_pages,
        integrator_work,
        deadline_list,
        instructions,
    )
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="name")
    for name, module in BENCHMARKS.items():
        module.configure(commands.add_parser(name, help=module.HELP, description=module.__doc__))
    return parser


def main(argv: list[str]) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    started = time.perf_counter()
    console.print(machine_line())
    if args.name is None:
        for name, module in BENCHMARKS.items():
            console.rule(name)
            module.main(parser.parse_args([name]))
    else:
        BENCHMARKS[args.name].main(args)
    console.print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
