"""scripts/audit.py (``make audit``): what fails the audit, what is reported, what is not known.

The reports below have the shapes pip-audit (``-f json``) and ``npm audit --json`` (npm 7+) write;
the last two are what this machine gets (PyPI's per-release JSON and npm's audit endpoint are
out of reach here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import audit

PIP_REPORT: dict[str, Any] = {
    "dependencies": [
        {"name": "fastapi", "version": "0.165.0", "vulns": []},
        {
            "name": "urllib3",
            "version": "2.8.0",
            "vulns": [{"id": "GHSA-aaaa-bbbb-cccc", "fix_versions": ["2.8.1"], "aliases": []}],
        },
        {
            "name": "pyyaml",
            "version": "6.0.4",
            "vulns": [{"id": "PYSEC-2026-1", "fix_versions": [], "aliases": []}],
        },
        {"name": "private-thing", "skip_reason": "Dependency not found on PyPI"},
    ],
    "fixes": [],
}
PIP_UNREACHABLE: dict[str, Any] = {
    "dependencies": [
        {
            "name": name,
            "skip_reason": f"Dependency not found on PyPI and could not be audited: {name}",
        }
        for name in ("fastapi", "urllib3", "pyyaml")
    ],
    "fixes": [],
}
NPM_REPORT: dict[str, Any] = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "minimist": {
            "name": "minimist",
            "severity": "critical",
            "range": "<1.2.6",
            "fixAvailable": True,
        },
        "left-pad": {
            "name": "left-pad",
            "severity": "high",
            "range": "<2",
            "fixAvailable": {"name": "left-pad", "version": "2.0.0", "isSemVerMajor": True},
        },
        "abandoned": {"name": "abandoned", "severity": "low", "range": "*", "fixAvailable": False},
    },
    "metadata": {"dependencies": {"total": 42}},
}
NPM_UNREACHABLE: dict[str, Any] = {
    "message": "405 Method Not Allowed - POST .../-/npm/v1/security/advisories/bulk",
    "statusCode": 405,
    "error": {"summary": "", "detail": ""},
}


class TestPipAudit:
    def test_a_vulnerability_with_a_fixed_release_fails_the_audit(self) -> None:
        findings = audit.pip_audit_findings(PIP_REPORT)
        assert findings.fixable == ["urllib3 2.8.0: GHSA-aaaa-bbbb-cccc (fixed in 2.8.1)"]
        assert audit.exit_status([findings], strict=False) == audit.EXIT_FIXABLE == 1

    def test_one_without_a_fix_is_reported_but_passes(self) -> None:
        report = {**PIP_REPORT, "dependencies": [PIP_REPORT["dependencies"][2]]}
        findings = audit.pip_audit_findings(report)
        assert findings.unfixable == ["pyyaml 6.0.4: PYSEC-2026-1 (no fixed release yet)"]
        assert audit.exit_status([findings], strict=False) == 0
        assert "  no fix    pyyaml 6.0.4: PYSEC-2026-1 (no fixed release yet)" in audit.render(
            findings
        )

    def test_packages_it_could_not_look_up_are_counted_apart(self) -> None:
        findings = audit.pip_audit_findings(PIP_REPORT)
        assert findings.audited == 3
        assert findings.not_audited == ["private-thing: Dependency not found on PyPI"]

    def test_an_unreachable_data_source_says_so_and_passes_unless_strict(self) -> None:
        findings = audit.pip_audit_findings(PIP_UNREACHABLE)
        assert findings.audited == 0
        lines = audit.render(findings)
        assert lines[1].startswith("NOT AUDITED: constraints.txt: 3 could not be checked")
        assert "the vulnerability data source was unreachable" in lines[1]
        assert not any("no known vulnerabilities" in line for line in lines)
        assert audit.exit_status([findings], strict=False) == 0
        assert audit.exit_status([findings], strict=True) == audit.EXIT_NOT_AUDITED

    def test_a_clean_report_says_so(self) -> None:
        report = {"dependencies": [PIP_REPORT["dependencies"][0]], "fixes": []}
        findings = audit.pip_audit_findings(report)
        assert audit.render(findings) == [
            "== constraints.txt: 1 audited",
            "  no known vulnerabilities",
        ]
        assert audit.exit_status([findings], strict=True) == 0


class TestNpmAudit:
    def test_fixable_and_unfixable_vulnerabilities(self) -> None:
        findings = audit.npm_audit_findings(NPM_REPORT, "ui/package-lock.json")
        assert findings.audited == 42
        assert findings.fixable == [
            "left-pad <2 (high): fixed in left-pad 2.0.0 (a semver-major upgrade)",
            "minimist <1.2.6 (critical): fixed by `npm audit fix`",
        ]
        assert findings.unfixable == ["abandoned * (low): no fix available"]
        assert audit.exit_status([findings], strict=False) == 1

    def test_an_error_from_the_audit_endpoint_is_not_a_pass(self) -> None:
        findings = audit.npm_audit_findings(NPM_UNREACHABLE, "ui/package-lock.json")
        assert findings.audited == 0
        assert findings.fixable == findings.unfixable == []
        assert findings.not_audited == [
            "ui/package-lock.json: npm audit failed: 405 Method Not Allowed - POST "
            ".../-/npm/v1/security/advisories/bulk"
        ]
        assert audit.exit_status([findings], strict=True) == audit.EXIT_NOT_AUDITED

    def test_lockfiles_are_found_outside_dependencies_and_hidden_directories(
        self, tmp_path: Path
    ) -> None:
        locks = ["package-lock.json", "ui/package-lock.json"]
        ignored = ["ui/node_modules/x/package-lock.json", ".venv/lib/package-lock.json"]
        for lock in locks + ignored:
            (tmp_path / lock).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / lock).write_text("{}")
        assert audit.lockfiles(tmp_path) == [tmp_path / lock for lock in locks]

    def test_a_fixable_finding_anywhere_fails_the_whole_audit(self) -> None:
        clean = audit.pip_audit_findings({"dependencies": [PIP_REPORT["dependencies"][0]]})
        npm = audit.npm_audit_findings(NPM_REPORT, "package-lock.json")
        assert audit.exit_status([clean, npm], strict=False) == 1
