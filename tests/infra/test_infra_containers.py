"""The Dockerfile, .dockerignore and compose.yaml (README "Production → Containers").

Docker does not run on these machines, so the image is never built here: these tests read the
files for the rules they must keep (multi-stage, non-root, health check, migrations before
Gunicorn, an allowlist build context, compose services with health checks wired to each other),
and run the image's own command from the files the image copies, outside a container.
``make lint-containers`` adds hadolint and the compose-spec JSON Schema.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from uvicorn_worker import UvicornWorker  # type: ignore[import-untyped]  # no py.typed

from impl.http.server import GuardedUvicornWorker
from impl.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# Variables compose.yaml sets before the app reads them (SMTP_URL is read since issue 10,
# item 3: the welcome e-mail).
PENDING_SETTINGS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def dockerfile_stages() -> list[list[Instruction]]:
    """The Dockerfile's instructions (continuations joined), one list per ``FROM`` stage."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    stages: list[list[Instruction]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        instruction = Instruction(keyword.upper(), " ".join(args.split()))
        if instruction.keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def runtime_stage() -> list[Instruction]:
    return dockerfile_stages()[-1]


def only(stage: list[Instruction], keyword: str) -> Instruction:
    found = [i for i in stage if i.keyword == keyword]
    assert len(found) == 1, f"expected one {keyword} in the stage, found {found}"
    return found[0]


def runtime_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in runtime_stage():
        if instruction.keyword == "ENV":
            for pair in shlex.split(instruction.args):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def copy_sources() -> list[str]:
    """Every path the Dockerfile copies from the build context (not ``--from=`` a stage)."""
    sources: list[str] = []
    for stage in dockerfile_stages():
        for instruction in stage:
            if instruction.keyword != "COPY":
                continue
            words = [w for w in instruction.args.split() if not w.startswith("--")]
            if "--from=" in instruction.args:
                continue
            sources += words[:-1]
    return sources


def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


def app_environment() -> dict[str, str]:
    env = compose()["services"]["app"]["environment"]
    assert isinstance(env, dict), "app.environment is a mapping"
    return {str(k): str(v) for k, v in env.items()}


def interpolated(value: str) -> str:
    """``value`` as compose would pass it, with every ``${VAR:?error}`` set to ``secret`` and
    every ``${VAR:-default}`` left at its default."""
    return re.sub(
        r"\$\{(\w+)(?::([?-])([^}]*))?\}",
        lambda m: m.group(3) if m.group(2) == "-" else "secret",
        value,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class TestDockerfile:
    def test_build_and_runtime_are_separate_stages(self) -> None:
        stages = dockerfile_stages()
        assert len(stages) >= 2
        assert stages[0][0].args.endswith(" AS build")
        copies = [i.args for i in runtime_stage() if i.keyword == "COPY"]
        assert "--from=build /opt/venv /opt/venv" in copies

    def test_build_installs_the_pinned_runtime_set_from_wheels(self) -> None:
        runs = " ".join(i.args for i in dockerfile_stages()[0] if i.keyword == "RUN")
        assert "['project']['dependencies']" in runs, "runtime dependencies only, no dev tools"
        assert "-c constraints.txt" in runs
        assert "--only-binary=:all:" in runs

    def test_runtime_runs_as_a_non_root_user(self) -> None:
        user = [i.args for i in runtime_stage() if i.keyword == "USER"]
        assert user, "the runtime stage sets USER"
        name, _, group = user[-1].partition(":")
        assert name not in {"root", "0"}
        assert group not in {"root", "0"}
        assert "--uid 10001" in only(runtime_stage(), "RUN").args

    def test_runtime_copies_no_build_tools_or_dev_files(self) -> None:
        sources = [s for s in copy_sources() if s not in {"pyproject.toml", "constraints.txt"}]
        assert sorted(sources) == sorted(
            ["impl", "generated", "scripts/gunicorn_conf.py", "scripts/healthcheck.py"]
        )

    def test_healthcheck_runs_the_liveness_script(self) -> None:
        healthcheck = only(runtime_stage(), "HEALTHCHECK").args
        command = json.loads(healthcheck.split(" CMD ", 1)[1])
        assert command == ["python", "scripts/healthcheck.py"]
        assert "--interval=" in healthcheck
        assert "--timeout=" in healthcheck

    def test_command_migrates_then_execs_gunicorn_with_uvicorn_workers(self) -> None:
        command = json.loads(only(runtime_stage(), "CMD").args)
        assert command[:2] == ["sh", "-c"]
        migrate, _, serve = command[2].partition(" && ")
        assert migrate == "python -m impl.db upgrade"
        assert serve == "exec gunicorn impl.main:app --config scripts/gunicorn_conf.py"
        conf = (ROOT / "scripts/gunicorn_conf.py").read_text()
        assert 'worker_class = "impl.http.server.GuardedUvicornWorker"' in conf
        # The guarded worker (read deadlines, caps: README "Security") is a Uvicorn worker.
        assert issubclass(GuardedUvicornWorker, UvicornWorker)

    def test_runtime_listens_on_all_interfaces_in_production(self) -> None:
        env = runtime_env()
        assert env["HOST"] == "0.0.0.0"  # noqa: S104 - inside the container, on purpose
        assert env["ENVIRONMENT"] == "production"
        assert only(runtime_stage(), "EXPOSE").args == env["PORT"]


class TestBuildContext:
    def allowlist(self) -> list[str]:
        lines = (ROOT / ".dockerignore").read_text().splitlines()
        rules = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        assert rules[0] == "*", ".dockerignore is an allowlist: everything out, then exceptions"
        return [rule[1:].rstrip("/") for rule in rules if rule.startswith("!")]

    def test_every_copied_path_exists_and_is_in_the_context(self) -> None:
        allowed = self.allowlist()
        for source in copy_sources():
            assert (ROOT / source).exists(), source
            assert source in allowed, f"{source} is copied but .dockerignore leaves it out"

    @pytest.mark.parametrize("path", [".env", ".venv", ".git", "var", "tests", "reports"])
    def test_secrets_environments_and_tests_stay_out(self, path: str) -> None:
        assert not any(path == a or path.startswith(f"{a}/") for a in self.allowlist())


class TestImageCommand:
    """The image's CMD and HEALTHCHECK, run from a copy of exactly what the image copies (with
    the runtime stage's ENV) against a scratch SQLite database: if the COPY list missed a file
    the app needs, the migrations or Gunicorn fail here."""

    def test_migrates_serves_and_passes_its_health_check(self, tmp_path: Path) -> None:
        app_dir = tmp_path / "app"
        for source in copy_sources():
            if source in {"pyproject.toml", "constraints.txt"}:
                continue  # build stage only
            target = app_dir / source
            target.parent.mkdir(parents=True, exist_ok=True)
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(ROOT / source, target)
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))},
            **runtime_env(),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(app_dir),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WORKERS": "1",
            "SECRET_KEY": "x" * 48,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
            "XDG_RUNTIME_DIR": str(tmp_path),  # Gunicorn's control socket, not the image's /tmp
        }
        command = json.loads(only(runtime_stage(), "CMD").args)
        healthcheck = json.loads(only(runtime_stage(), "HEALTHCHECK").args.split(" CMD ", 1)[1])
        server = subprocess.Popen(
            command, cwd=app_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                check = subprocess.run(
                    healthcheck, cwd=app_dir, env=env, capture_output=True, check=False
                )
                if check.returncode == 0 or server.poll() is not None:
                    break
                assert time.monotonic() < deadline, "no healthy answer within 60 s"
                time.sleep(0.5)
            if server.poll() is not None:
                output = server.stdout.read() if server.stdout else b""
                pytest.fail(
                    f"the image's command exited: {output.decode(errors='replace')[-3000:]}"
                )
            assert check.returncode == 0, check.stderr
            assert (tmp_path / "app.db").exists(), "the migrations ran before the server started"
        finally:
            server.send_signal(signal.SIGTERM)
            output, _ = server.communicate(timeout=60)
        assert server.returncode == 0, output.decode(errors="replace")[-2000:]
        after = subprocess.run(healthcheck, cwd=app_dir, env=env, capture_output=True, check=False)
        assert after.returncode == 1


class TestCompose:
    def services(self) -> dict[str, Any]:
        services = compose()["services"]
        assert isinstance(services, dict)
        return services

    def test_app_postgres_redis_and_an_smtp_catcher(self) -> None:
        services = self.services()
        assert set(services) == {"app", "db", "redis", "mailpit"}
        assert services["app"]["build"] == "."
        assert services["db"]["image"].startswith("postgres:")
        assert services["redis"]["image"].startswith("redis:")
        assert services["mailpit"]["image"].startswith("axllent/mailpit:")

    @pytest.mark.parametrize("name", ["app", "db", "redis", "mailpit"])
    def test_every_service_has_a_health_check(self, name: str) -> None:
        healthcheck = self.services()[name]["healthcheck"]
        assert healthcheck["test"][0] == "CMD"
        assert {"interval", "timeout", "retries"} <= set(healthcheck)

    def test_app_health_check_is_the_images(self) -> None:
        healthcheck = json.loads(only(runtime_stage(), "HEALTHCHECK").args.split(" CMD ", 1)[1])
        assert self.services()["app"]["healthcheck"]["test"] == ["CMD", *healthcheck]

    def test_app_starts_once_its_dependencies_are_healthy(self) -> None:
        depends = self.services()["app"]["depends_on"]
        assert depends == {
            name: {"condition": "service_healthy"} for name in ("db", "redis", "mailpit")
        }

    def test_app_environment_points_at_the_compose_services(self) -> None:
        env = {name: interpolated(value) for name, value in app_environment().items()}
        db_env = self.services()["db"]["environment"]
        database = urlsplit(env["DATABASE_URL"])
        assert database.scheme == "postgresql+asyncpg"
        assert database.hostname == "db"
        assert database.username == db_env["POSTGRES_USER"]
        assert database.path == f"/{db_env['POSTGRES_DB']}"
        assert urlsplit(env["REDIS_URL"]).hostname == "redis"
        smtp = urlsplit(env["SMTP_URL"])
        assert (smtp.scheme, smtp.hostname, smtp.port) == ("smtp", "mailpit", 1025)
        assert env["ENVIRONMENT"] == "production"

    def test_app_environment_names_are_variables_the_app_reads(self) -> None:
        settings = {name.upper() for name in Settings.model_fields}
        gunicorn = set(
            re.findall(
                r"(?:environ\.get\(|getenv\(|environ\[)['\"](\w+)",
                (ROOT / "scripts/gunicorn_conf.py").read_text(),
            )
        )
        unknown = set(app_environment()) - settings - gunicorn - PENDING_SETTINGS
        assert not unknown, f"set in compose.yaml but read by nothing: {sorted(unknown)}"

    def test_secrets_are_required_from_the_environment_never_defaulted(self) -> None:
        env = app_environment()
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", env["SECRET_KEY"])
        assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
        assert self.services()["db"]["environment"]["POSTGRES_PASSWORD"].startswith(
            "${POSTGRES_PASSWORD:?"
        )

    def test_published_ports_are_bound_to_loopback_only(self) -> None:
        for name, service in self.services().items():
            for port in service.get("ports", []):
                assert str(port).startswith("127.0.0.1:"), (
                    f"{name} publishes {port} on every interface"
                )
