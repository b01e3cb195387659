"""The image's supply chain, checked without Docker (CI has no engine): the lock file pins
every dependency with hashes and agrees with pyproject.toml, the Dockerfile installs from it
on a base image pinned to an exact release, secrets stay out of the image, and the proxy gets
only the variables it reads."""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version
from ruamel.yaml import YAML

from bot.ops import healthcheck
from tests.conftest import REPO

LOCK = REPO / "requirements.lock"
IMAGE_EXTRAS = ("postgres", "redis")  # what the Dockerfile's image needs besides the core
# Releases with published advisories lie below these: the floors must exclude them.
ADVISORY_FLOORS = {"aiohttp": Version("3.12.14"), "setuptools": Version("78.1.1")}
# Base images whose releases are numbered major.minor (PostgreSQL since 10); others x.y.z.
TWO_PART_RELEASES = {"postgres"}


def pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def locked() -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, number of hashes) of every requirement in the lock."""
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    found: dict[str, tuple[Version, int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)((?:\s+--hash=sha256:[0-9a-f]{64})*)", line)
        assert match, f"requirements.lock:{number}: not a pinned, hashed requirement: {line!r}"
        name, version, hashes = match.groups()
        assert hashes, f"requirements.lock:{number}: {name} has no hash"
        found[canonicalize_name(name)] = (Version(version), hashes.count("--hash="))
    return found


def image_requirements() -> list[Requirement]:
    """The dependencies the image installs, and the build backend that installs the bot."""
    project = pyproject()
    names = list(project["project"]["dependencies"])
    for extra in IMAGE_EXTRAS:
        names += project["project"]["optional-dependencies"][extra]
    names += project["build-system"]["requires"]
    return [Requirement(name) for name in names]


def test_the_lock_pins_every_dependency_of_the_image_with_hashes() -> None:
    lock = locked()
    for requirement in image_requirements():
        name = canonicalize_name(requirement.name)
        assert name in lock, f"requirements.lock: {requirement.name} is missing (regenerate it)"
        version, _ = lock[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock: {name}=={version} does not meet pyproject's {requirement}"
        )


def test_no_floor_admits_a_release_with_a_published_advisory() -> None:
    by_name = {canonicalize_name(r.name): r.specifier for r in image_requirements()}
    lock = locked()
    for name, floor in ADVISORY_FLOORS.items():
        specifier: SpecifierSet = by_name[name]
        below = Version(f"{floor.major}.{floor.minor}.{floor.micro - 1}") if floor.micro else None
        assert below is None or not specifier.contains(below), f"{name}{specifier} admits {below}"
        assert specifier.contains(floor), f"{name}{specifier}"
        assert lock[name][0] >= floor


def dockerfile() -> str:
    return (REPO / "Dockerfile").read_text(encoding="utf-8")


def exact(image: str) -> bool:
    """An image pinned by digest, or tagged with a full release number."""
    if re.search(r"@sha256:[0-9a-f]{64}$", image):
        return True
    name, _, tag = image.partition(":")
    parts = 2 if name.rsplit("/", 1)[-1] in TWO_PART_RELEASES else 3
    release = r"\d+" + r"\.\d+" * (parts - 1)
    return re.fullmatch(release + r"(-[a-z0-9]+)*", tag) is not None


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("python:3.11-slim", False),
        ("python:3.11.14-slim-bookworm", True),
        ("redis:7", False),
        ("redis:7.4", False),
        ("postgres:16", False),
        ("postgres:16.10", True),
        ("caddy:latest", False),
        ("caddy@sha256:" + "a" * 64, True),
        ("redis:7.4.6-bookworm@sha256:" + "b" * 64, True),
    ],
)
def test_what_counts_as_pinned(image: str, pinned: bool) -> None:
    assert exact(image) is pinned


def test_the_image_is_built_from_the_lock_on_a_pinned_base() -> None:
    text = dockerfile()
    bases = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert bases
    assert all(exact(base) for base in bases), bases
    assert "pip install --require-hashes -r requirements.lock" in text
    installs = [line for line in text.splitlines() if "pip install" in line]
    for line in installs:  # nothing resolved or fetched outside the lock
        assert "--require-hashes" in line or "--no-deps --no-build-isolation" in line, line
    # The lock was made for the image's Python.
    python = re.search(r"^FROM\s+python:(\d+\.\d+\.\d+)", text, re.MULTILINE)
    header = re.search(r"--python-version (\S+)", LOCK.read_text(encoding="utf-8"))
    assert python
    assert header
    assert python.group(1) == header.group(1)


def compose() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load((REPO / "docker-compose.yml").read_text())
    return data


def test_compose_images_are_pinned() -> None:
    images = [s["image"] for s in compose()["services"].values() if "image" in s]
    assert images
    assert [image for image in images if not exact(image)] == []


def test_the_proxy_gets_only_the_variables_its_caddyfile_reads() -> None:
    proxy = compose()["services"]["proxy"]
    assert "env_file" not in proxy  # .env holds the token, the secret and passwords
    caddyfile = (REPO / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    reads = set(re.findall(r"\{\$([A-Z0-9_]+)", caddyfile))
    assert set(proxy.get("environment") or {}) == reads


def test_secrets_and_data_stay_out_of_the_image() -> None:
    ignored = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".env.*", "data"} <= ignored
    assert not re.search(r"^(COPY|ADD)\s+(\.\s|.*\.env\b)", dockerfile(), re.MULTILINE)


def test_the_lock_holds_no_dependency_pyproject_has_dropped() -> None:
    """A package the lock says is there for valo-bot itself is still one of its requirements
    (every requirement being in the lock is checked above)."""
    direct = {canonicalize_name(r.name) for r in image_requirements()}
    text = LOCK.read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = re.match(r"([A-Za-z0-9._-]+)==", block)
        if head is None:
            continue
        why = " ".join(re.findall(r"#\s*(?:via)?\s*(.*)", block)).strip()
        # For pyproject itself, or given with the command (the build backend: no "via").
        if not why or "valo-bot" in why:
            assert canonicalize_name(head.group(1)) in direct, head.group(1)


def bot_services() -> dict[str, dict[str, Any]]:
    """The compose services that run the bot's image, by name."""
    services: dict[str, dict[str, Any]] = compose()["services"]
    return {name: s for name, s in services.items() if s.get("build")}


def test_every_role_in_compose_has_a_port_for_its_health_check() -> None:
    # The image's HEALTHCHECK asks the role's own /readyz; run and worker serve it on
    # METRICS_PORT, which must then be set (unset, the check only proves Python starts).
    assert 'CMD ["python", "-m", "bot.ops.healthcheck"]' in dockerfile()
    assert bot_services()
    for name, service in bot_services().items():
        role = service["command"][-1]
        env = {k: str(v) for k, v in (service.get("environment") or {}).items()}
        assert env.get("VALO_ROLE") == role, name
        url = healthcheck.readiness_url(env)
        assert url is not None, f"{name}: no port for its health check"
        port = env["WEB_PORT"] if role == "web" else env["METRICS_PORT"]
        assert url == f"http://127.0.0.1:{port}/readyz"


@pytest.fixture
def readyz() -> Iterator[tuple[int, list[int]]]:
    """A stand-in /readyz on a free port; answers the status at the end of the list."""
    statuses = [200]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(statuses[-1] if self.path == "/readyz" else 404)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], statuses
    finally:
        server.shutdown()
        server.server_close()


def test_the_health_check_asks_the_roles_readyz(readyz: tuple[int, list[int]]) -> None:
    port, statuses = readyz
    assert healthcheck.main({"VALO_ROLE": "worker", "METRICS_PORT": str(port)}) == 0
    assert healthcheck.main({"VALO_ROLE": "web", "WEB_PORT": str(port)}) == 0
    assert healthcheck.main({"METRICS_PORT": str(port)}) == 0  # `run` by default
    statuses.append(503)  # not ready: the database is unreachable, say
    assert healthcheck.main({"VALO_ROLE": "worker", "METRICS_PORT": str(port)}) == 1
    assert healthcheck.main({"VALO_ROLE": "web", "WEB_PORT": str(port)}) == 1
    # Nothing listening: unhealthy. No port at all (run or worker without METRICS_PORT):
    # nothing to ask, so only "Python starts".
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        free = closed.server_address[1]
    assert healthcheck.main({"VALO_ROLE": "worker", "METRICS_PORT": str(free)}) == 1
    assert healthcheck.main({"VALO_ROLE": "worker"}) == 0
    assert healthcheck.main({}) == 0


def test_the_proxy_and_the_replicas_take_the_webhook_path_from_webhook_url_alone() -> None:
    # WEBHOOK_URL=https://host/tg/hook-abc once made web1 serve /tg/hook-abc while the proxy
    # forwarded only /webhook (and web2, its WEBHOOK_URL blanked, served /webhook).
    caddyfile = (REPO / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    forwarding = re.search(r"handle\s+(\S+)\s*\{\s*(?:#.*\s*)*reverse_proxy", caddyfile)
    assert forwarding, "no handle block forwards to the replicas"
    matcher = forwarding.group(1)
    assert matcher.startswith("@"), f"the proxy forwards a fixed path: {matcher}"
    definition = re.search(rf"^\s*{re.escape(matcher)}\s+(.+)$", caddyfile, re.MULTILINE)
    assert definition
    assert definition.group(1).split() == ["method", "POST"], "the proxy matches a path"
    webs = {n: s for n, s in bot_services().items() if s["command"][-1] == "web"}
    assert len(webs) >= 2
    for name, service in webs.items():
        assert service.get("env_file") == ".env", name  # where WEBHOOK_URL is set
        assert "WEBHOOK_URL" not in (service.get("environment") or {}), name
    registering = [
        n for n, s in webs.items() if s["environment"].get("WEBHOOK_REGISTER") != "false"
    ]
    assert len(registering) == 1, registering
