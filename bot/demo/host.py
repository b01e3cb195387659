"""Where the demo page may listen: loopback, unless the person starting it says otherwise.

Apart from the rest of the demo so that a refused ``--host`` is reported before the bot's
modules (aiogram and all) are imported.
"""

from __future__ import annotations

import ipaddress

LOOPBACK_NAMES = frozenset({"localhost"})


def check_host(host: str, allow_remote: bool) -> str | None:
    """Why ``host`` may not be used (None: it may). The page has no login: loopback only,
    unless the person starting it says otherwise."""
    if allow_remote or host in LOOPBACK_NAMES:
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (
        f"refusing to listen on {host}: the demo page has no login and anyone who reaches it "
        "can chat as any persona; use 127.0.0.1, or pass --allow-remote"
    )
