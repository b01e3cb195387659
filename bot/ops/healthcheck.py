"""The container health check: ``python -m bot.ops.healthcheck`` (the image's HEALTHCHECK).

It asks the role's own ``/readyz``: ``web`` on WEB_PORT, ``run`` and ``worker`` on
METRICS_PORT (where they serve ``/metrics``, ``/healthz`` and ``/readyz``). A ``run`` or
``worker`` without METRICS_PORT has no HTTP port to ask, so there the check only proves that
Python starts. Standard library only: it runs every 30 s and must start fast.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Mapping

TIMEOUT = 4.0  # below the HEALTHCHECK's --timeout


def readiness_url(env: Mapping[str, str]) -> str | None:
    """Where the role named by VALO_ROLE answers ``/readyz``; None when it has no port."""
    role = env.get("VALO_ROLE", "run")
    port = (env.get("WEB_PORT") or "8080") if role == "web" else env.get("METRICS_PORT")
    return f"http://127.0.0.1:{port}/readyz" if port else None


def main(env: Mapping[str, str] = os.environ) -> int:
    """0 healthy, 1 not (Docker's convention)."""
    url = readiness_url(env)
    if url is None:
        return 0
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:  # refused, timed out, or an HTTP error status such as 503
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
