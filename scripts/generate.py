#!/usr/bin/env python3
"""Validate the contract and generate the typed FastAPI package from it.

    python scripts/generate.py [--spec openapi.yaml] [--out generated] [--check]

Exit status: 0 on success (or, with --check, when the output is up to date); 1 when the contract
is invalid (every problem printed as ``FILE:LINE: /json/pointer: message``, nothing written) or,
with --check, when the generated package is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contractgen.pipeline import GenerationError, check, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=Path("openapi.yaml"), help="the contract")
    parser.add_argument("--out", type=Path, default=Path("generated"), help="the package directory")
    parser.add_argument(
        "--check", action="store_true", help="fail if --out differs from what would be generated"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = check(args.spec, args.out)
            for line in stale:
                print(line, file=sys.stderr)
            if stale:
                print(f"{args.out} is stale: run `make generate`", file=sys.stderr)
                return 1
            print(f"{args.out} is up to date with {args.spec}")
            return 0
        written = generate(args.spec, args.out)
    except GenerationError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 1
    print(f"generated {len(written)} files in {args.out} from {args.spec}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
