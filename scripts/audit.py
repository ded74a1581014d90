"""``make audit``: known vulnerabilities in the pinned set and in every npm lockfile.

* Python: pip-audit over constraints.txt (every pin, dev tools included; ``--no-deps
  --disable-pip``: the file is the whole resolved tree), against PyPI's vulnerability data.
* Node: ``npm audit --package-lock-only`` in each directory holding a tracked
  ``package-lock.json`` (none is fine).

Exit status: 1 when a known vulnerability has a fixed release (bump the pin: README "Dependency
audit"); otherwise 0, also when the vulnerability data could not be reached, which is reported on
lines starting with ``NOT AUDITED`` (pip-audit itself would print "No known vulnerabilities
found" for packages it could not look up). ``--strict`` turns "not audited" into exit 3.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXIT_FIXABLE = 1
EXIT_NOT_AUDITED = 3
_TIMEOUT_SECONDS = 600
_SKIP_DIRS = frozenset({"node_modules", "build", "var", "reports", "generated"})


@dataclass
class Findings:
    """What one audit found; ``not_audited`` holds the packages (or whole reports) it could not
    check, with the reason."""

    source: str
    audited: int = 0
    fixable: list[str] = field(default_factory=list)
    unfixable: list[str] = field(default_factory=list)
    not_audited: list[str] = field(default_factory=list)


def pip_audit_findings(report: dict[str, Any], source: str = "constraints.txt") -> Findings:
    """Classify pip-audit's JSON report (``-f json``)."""
    findings = Findings(source)
    for dependency in report.get("dependencies", []):
        name = dependency["name"]
        if "skip_reason" in dependency:
            findings.not_audited.append(f"{name}: {dependency['skip_reason']}")
            continue
        findings.audited += 1
        for vuln in dependency.get("vulns", []):
            label = f"{name} {dependency.get('version', '?')}: {vuln['id']}"
            fixes = vuln.get("fix_versions") or []
            if fixes:
                findings.fixable.append(f"{label} (fixed in {', '.join(fixes)})")
            else:
                findings.unfixable.append(f"{label} (no fixed release yet)")
    return findings


def npm_audit_findings(report: dict[str, Any], source: str) -> Findings:
    """Classify ``npm audit --json`` output (report version 2, npm 7+); an error object (the
    registry's audit endpoint refused or unreachable) means nothing was audited."""
    findings = Findings(source)
    vulnerabilities = report.get("vulnerabilities")
    if not isinstance(vulnerabilities, dict) or "error" in report:
        error = report.get("error")
        reason = report.get("message") or (
            error.get("summary") if isinstance(error, dict) else None
        )
        findings.not_audited.append(f"{source}: npm audit failed: {reason or 'no report'}")
        return findings
    total = report.get("metadata", {}).get("dependencies", {}).get("total")
    findings.audited = total if isinstance(total, int) else len(vulnerabilities)
    for name, vuln in sorted(vulnerabilities.items()):
        label = f"{name} {vuln.get('range', '?')} ({vuln.get('severity', '?')})"
        fix = vuln.get("fixAvailable")
        if fix is True:
            findings.fixable.append(f"{label}: fixed by `npm audit fix`")
        elif isinstance(fix, dict):
            major = " (a semver-major upgrade)" if fix.get("isSemVerMajor") else ""
            findings.fixable.append(
                f"{label}: fixed in {fix.get('name')} {fix.get('version')}{major}"
            )
        else:
            findings.unfixable.append(f"{label}: no fix available")
    return findings


def exit_status(all_findings: list[Findings], *, strict: bool) -> int:
    if any(f.fixable for f in all_findings):
        return EXIT_FIXABLE
    if strict and any(f.not_audited for f in all_findings):
        return EXIT_NOT_AUDITED
    return 0


def render(findings: Findings) -> list[str]:
    lines = [f"== {findings.source}: {findings.audited} audited"]
    lines += [f"  FIXABLE   {line}" for line in findings.fixable]
    lines += [f"  no fix    {line}" for line in findings.unfixable]
    if findings.audited and not findings.fixable and not findings.unfixable:
        lines.append("  no known vulnerabilities")
    if findings.not_audited:
        count = len(findings.not_audited)
        why = (
            "the vulnerability data source was unreachable"
            if not findings.audited
            else "no vulnerability data for them"
        )
        lines.append(
            f"NOT AUDITED: {findings.source}: {count} could not be checked ({why}); "
            "nothing is known about them either way:"
        )
        lines += [f"  {line}" for line in findings.not_audited[:5]]
        if count > 5:
            lines.append(f"  ... and {count - 5} more of the same kind")
    return lines


def run_pip_audit(constraints: Path) -> Findings:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "pip-audit.json"
        command = [
            sys.executable, "-m", "pip_audit", "--requirement", str(constraints),
            "--no-deps", "--disable-pip", "--vulnerability-service", "pypi",
            "--progress-spinner", "off", "--format", "json", "--output", str(output),
        ]  # fmt: skip
        # Its exit status only repeats what the report says (1: vulnerabilities found).
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS, check=False
        )
        if not output.exists():
            return Findings(
                constraints.name,
                not_audited=[f"pip-audit wrote no report: {done.stderr.strip()[-500:]}"],
            )
        return pip_audit_findings(json.loads(output.read_text()), constraints.name)


def lockfiles(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in _SKIP_DIRS)
        if "package-lock.json" in files:
            found.append(Path(directory) / "package-lock.json")
    return found


def run_npm_audit(lockfile: Path, root: Path) -> Findings:
    source = str(lockfile.relative_to(root))
    npm = shutil.which("npm")
    if npm is None:
        return Findings(source, not_audited=[f"{source}: npm is not installed"])
    done = subprocess.run(
        [npm, "audit", "--json", "--package-lock-only"],
        cwd=lockfile.parent, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS, check=False,
    )  # fmt: skip
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        report = {"message": done.stderr.strip()[-500:] or "no JSON on stdout"}
    return npm_audit_findings(report, source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/audit.py", description=__doc__)
    parser.add_argument("--strict", action="store_true", help="exit 3 when anything went unaudited")
    args = parser.parse_args(argv)
    results = [run_pip_audit(ROOT / "constraints.txt")]
    locks = lockfiles(ROOT)
    results += [run_npm_audit(lock, ROOT) for lock in locks]
    for findings in results:
        print("\n".join(render(findings)))
    if not locks:
        print("== npm: no package-lock.json in the tree, nothing to audit")
    status = exit_status(results, strict=args.strict)
    if status == EXIT_FIXABLE:
        print("audit: FAILED: known vulnerabilities with a fix (bump those pins)")
    elif any(f.not_audited for f in results):
        print("audit: INCOMPLETE: see NOT AUDITED above" + (" (--strict)" if args.strict else ""))
    else:
        print("audit: passed")
    return status


if __name__ == "__main__":
    sys.exit(main())
