#!/usr/bin/env python3
"""The contract as one static HTML page that opens offline (`make docs`).

    python scripts/docs.py [--spec openapi.yaml] [--out build/docs/index.html]

Redocly CLI (pinned in package.json) renders the page with Redoc's script embedded
(``--inlineBundle``: by default it loads Redoc from a CDN). The page is then checked: no
script, stylesheet, image or font is fetched from elsewhere, and every operation of the contract
is in it. Exit status 1 when the build or a check fails, with the reason.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contract_doc import Document, load

ROOT = Path(__file__).resolve().parents[1]
REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"

# A resource the browser would fetch: <script src>, <link href> (stylesheets, fonts, icons),
# <img src>, CSS url(...) and @import, for any absolute or protocol-relative URL.
_REMOTE = re.compile(
    r"""<script[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^"'\s>]+"""
    r"""|<link[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^"'\s>]+"""
    r"""|<img[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^"'\s>]+"""
    r"""|url\(\s*["']?(?:https?:)?//[^)"']+"""
    r"""|@import\s+(?:url\()?\s*["'](?:https?:)?//[^"']+""",
    re.IGNORECASE,
)


def problems(html: str, document: Document) -> list[str]:
    found = [f"fetches {match.group(0)[:120]!r}" for match in _REMOTE.finditer(html)]
    for operation in document.operations():
        if f'"operationId":"{operation.operation_id}"' not in html:
            found.append(f"lacks {operation.label}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=Path("openapi.yaml"))
    parser.add_argument("--out", type=Path, default=Path("build/docs/index.html"))
    args = parser.parse_args(argv)
    document = load(args.spec)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    title = str(document.data.get("info", {}).get("title", "API"))
    command = [str(REDOCLY), "build-docs", str(args.spec), "--inlineBundle", "--title", title]
    build = subprocess.run([*command, "--output", str(args.out)], env=env, check=False)
    if build.returncode != 0:
        print(f"redocly build-docs failed ({build.returncode})", file=sys.stderr)
        return 1
    found = problems(args.out.read_text(encoding="utf-8"), document)
    for problem in found:
        print(f"{args.out}: {problem}", file=sys.stderr)
    if found:
        return 1
    print(f"{args.out}: self-contained, {sum(1 for _ in document.operations())} operations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
