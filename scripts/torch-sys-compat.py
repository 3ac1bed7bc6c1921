#!/usr/bin/env python3
"""Adapt a copy of torch-sys's C wrappers to an older libtorch than the one tch was generated for.

tch's `libtch/torch_api_generated.cpp` wraps every ATen operator of the libtorch release it was
generated from. Built against an older libtorch, the wrappers of operators that release lacks (or
whose signature it has changed) do not compile. This replaces the body of each such wrapper with a
`throw`, which the wrapper's PROTECT turns into a tch error if it is ever called; every other
wrapper is untouched. Tributary calls none of the stubbed operators (they are new, experimental
or MPS-only ones).

Usage: torch-sys-compat.py TORCH_SYS_DIR BUILD_LOG
  stubs the wrappers that the compile errors of a failed torch-sys build (its cargo log) point at,
  and prints their names. A build that fails again is fed back the same way.
"""
import re
import sys
from pathlib import Path

GENERATED = "libtch/torch_api_generated.cpp"


def wrapper_spans(lines):
    """(first, last) line indices of each top-level wrapper function."""
    spans, start = [], None
    for i, line in enumerate(lines):
        if start is None and re.match(r"^\w[\w\s\*]*\batg_\w+\(", line):
            start = i
        elif start is not None and line.rstrip() == "}":
            spans.append((start, i))
            start = None
    return spans


def stub(lines, span):
    """Replaces the PROTECT body of the wrapper at `span` with a throw; returns its name."""
    first, last = span
    name = re.search(r"\b(atg_\w+)\(", lines[first]).group(1)
    open_line = next(i for i in range(first, last) if lines[i].strip() == "PROTECT(")
    close_line = max(i for i in range(open_line, last) if lines[i].strip() == ")")
    message = f'{name}: this operator is not in the libtorch this build was made against'
    lines[open_line + 1 : close_line] = [f'    throw std::runtime_error("{message}");\n']
    return name


def main():
    src, log = Path(sys.argv[1]), Path(sys.argv[2]).read_text(errors="replace")
    error_lines = {
        int(match.group(1)) - 1
        for match in re.finditer(r"torch_api_generated\.cpp:(\d+):\d+: error:", log)
    }
    path = src / GENERATED
    lines = path.read_text().splitlines(keepends=True)
    stubbed = []
    # From the last wrapper to the first, so earlier line numbers stay valid while stubbing.
    for span in reversed(wrapper_spans(lines)):
        if any(span[0] <= n <= span[1] for n in error_lines):
            stubbed.append(stub(lines, span))
    if error_lines and not stubbed:
        sys.exit("the build log's errors are outside the generated wrappers; see the log")
    path.write_text("".join(lines))
    for name in reversed(stubbed):
        print(name)


if __name__ == "__main__":
    main()
