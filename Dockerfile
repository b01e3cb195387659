# Valo: one image for every role (run | web | worker); the command picks the role.
# An exact release, not a moving tag; a release also pins its digest (README, "Releasing").
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
# Every dependency (and the build backend) at the version and file hashes of the lock, which
# tests/test_packaging.py keeps in step with pyproject.toml: nothing resolved at build time.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-deps --no-build-isolation .
# Data the bot reads relative to its working directory (see CATALOG_PATH and the locales).
COPY dialogs ./dialogs
COPY locales ./locales
COPY services_catalog ./services_catalog

# The SQLite database (families' data) and any backup in it: readable by valo only.
RUN useradd --create-home --uid 10001 valo && mkdir -p /app/data && chown valo /app/data \
    && chmod 700 /app/data
USER valo
VOLUME ["/app/data"]

# The role's own /readyz: `web` on WEB_PORT, `run` and `worker` on METRICS_PORT (compose sets
# it); a `run` or `worker` without METRICS_PORT has no port, so there it only checks that
# Python starts (bot/ops/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot.ops.healthcheck"]

CMD ["valo-bot", "run"]
