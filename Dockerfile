# syntax=docker/dockerfile:1
# The production image: `docker build -t contract-first-api .` (README "Production → Containers").
# Stage 1 installs the pinned runtime dependencies (pyproject [project].dependencies under
# constraints.txt, wheels only) into a venv; stage 2 is slim, runs as a non-root user, applies the
# migrations and starts Gunicorn with Uvicorn workers (scripts/gunicorn_conf.py).
# The pinned set has wheels for CPython 3.11 to 3.15 (`make wheels`); CI tests 3.11 to 3.13.
ARG PYTHON_VERSION=3.13

FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml constraints.txt ./
# Only the runtime dependencies, not the dev tools; --only-binary: the slim image has no compiler.
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > requirements.txt \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --only-binary=:all: -c constraints.txt -r requirements.txt

FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    XDG_RUNTIME_DIR=/tmp \
    GUNICORN_CMD_ARGS="--worker-tmp-dir /dev/shm"
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app
# Writable: /tmp (Gunicorn's control socket, via XDG_RUNTIME_DIR) and /dev/shm (its heartbeat
# files); nothing else, so compose runs it with a read-only root file system.
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# Owned by root and read-only to the app user: the process cannot rewrite its own code.
COPY impl ./impl
COPY generated ./generated
COPY scripts/gunicorn_conf.py scripts/healthcheck.py ./scripts/
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]
# Migrations first (PostgreSQL: under an advisory lock, so replicas starting together apply them
# once), then Gunicorn replaces the shell and receives SIGTERM itself (graceful drain).
CMD ["sh", "-c", "python -m impl.db upgrade && exec gunicorn impl.main:app --config scripts/gunicorn_conf.py"]
