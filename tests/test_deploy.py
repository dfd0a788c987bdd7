"""The container and compose files describe a product that can run: every setting compose.yaml
passes exists in the settings (a misspelt key would be ignored silently), and the pieces of the
production shape are there: PostgreSQL 16, two workers of our image, an S3-compatible store, Caddy
terminating HTTPS in front of both workers; the image runs `dvk serve` as a user without
privileges and checks /healthz. (`.ci/run` builds the image where a Docker daemon answers.)"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from settings import Settings, env_names

ROOT = Path(__file__).resolve().parents[1]
VARIABLES = {"POSTGRES_PASSWORD": "pw", "DVK_DOMAIN": "dvk.example.vn",
             "MINIO_ROOT_PASSWORD": "minio-secret"}


def interpolate(value: str) -> str:
    """Compose's ${NAME}, ${NAME:?message} and ${NAME:-default}, with test values."""
    return re.sub(r"\$\{(\w+)(?::[?-][^}]*)?\}", lambda m: VARIABLES[m.group(1)], value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def workers(compose: dict) -> dict[str, dict]:
    """The services that run our image."""
    return {name: service for name, service in compose["services"].items()
            if "build" in service}


def environment(service: dict) -> dict[str, str]:
    found = service.get("environment") or {}
    if isinstance(found, list):  # the `- KEY=value` form
        found = dict(item.split("=", 1) for item in found)
    return {key: interpolate(str(value)) for key, value in found.items()}


def test_every_setting_compose_passes_to_a_worker_exists(compose: dict) -> None:
    for name, service in workers(compose).items():
        passed = set(environment(service))
        assert passed, name
        assert passed <= env_names(), f"{name}: not settings: {passed - env_names()}"


def test_the_workers_settings_are_valid_and_put_them_on_postgresql(compose: dict) -> None:
    for service in workers(compose).values():
        settings = Settings(_env_file=None, **{k.lower(): v
                                               for k, v in environment(service).items()})
        assert settings.database.url == "postgresql+asyncpg://dvk:pw@postgres:5432/dvk"
        assert settings.web.host == "0.0.0.0" and settings.web.port == 8080
        assert settings.web.public_base_url == "https://dvk.example.vn"
        assert settings.web.trusted_proxies  # Caddy's X-Forwarded-For counts
        # The media in MinIO's bucket, the one minio-bucket makes, with MinIO's own password.
        assert settings.media.store == "s3://dvk-media/media"
        assert settings.media.s3_endpoint_url == "http://minio:9000"
        assert settings.media.s3_secret_access_key.get_secret_value() == "minio-secret"
        assert service["env_file"] == [{"path": ".env", "required": False}]


def test_the_production_shape(compose: dict) -> None:
    services = compose["services"]
    assert len(workers(compose)) == 2
    assert services["postgres"]["image"] == "postgres:16"
    assert all(s["depends_on"]["postgres"]["condition"] == "service_healthy"
               for s in workers(compose).values())
    media = {tuple(s["volumes"]) for s in workers(compose).values()}
    assert media == {("media:/srv/dvk/data/media",)}  # one volume, shared
    assert services["minio"]["image"].startswith("minio/minio")
    assert "local/dvk-media" in " ".join(services["minio-bucket"]["entrypoint"])
    assert all(s["depends_on"]["minio-bucket"]["condition"] == "service_completed_successfully"
               for s in workers(compose).values())
    caddy = services["caddy"]
    assert caddy["image"].startswith("caddy:2") and "443:443" in caddy["ports"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]


def test_caddy_serves_https_for_the_domain_and_proxies_to_every_worker(compose: dict) -> None:
    caddyfile = (ROOT / "Caddyfile").read_text(encoding="utf-8")
    assert re.search(r"^\{\$DVK_DOMAIN\} \{", caddyfile, re.MULTILINE)  # automatic HTTPS
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile).group(1).split()
    assert upstreams == [f"{name}:8080" for name in workers(compose)]
    assert "health_uri /healthz" in caddyfile
    assert "respond /metrics 404" in caddyfile


def test_the_image_runs_dvk_serve_unprivileged_with_a_health_check() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert stages and all(s.startswith("python:3.11-slim") for s in stages)
    final = dockerfile.rsplit("\nFROM ", 1)[1]
    users = re.findall(r"^USER (\S+)", final, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n(?:.*\\\n)*.*/healthz", final, re.MULTILINE)
    assert 'ENTRYPOINT ["dvk"]' in final and 'CMD ["serve"]' in final
    assert "danvankheo-bot[postgres]" in final  # installed as a package, with asyncpg
    for name in re.findall(r"^ENV (?:.*\\\n)*.*", final, re.MULTILINE):
        for key in re.findall(r"(\w+)=", name):
            assert key in env_names() or key.startswith(("PYTHON", "PIP_")), key


def test_the_image_is_built_from_every_package_pyproject_installs() -> None:
    """A package added to pyproject.toml but not copied into the image would be missing from
    it: every top-level package (and locales/) is copied and let through .dockerignore."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in include}
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, re.MULTILINE))
    allowed = {line[1:].rstrip("/") for line in
               (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.startswith("!")}
    assert packages <= copied, packages - copied
    assert packages <= allowed, packages - allowed
    assert {"pyproject.toml", "README.md"} <= allowed


@pytest.mark.skipif(shutil.which("caddy") is None, reason="needs Debian's caddy (.ci/run)")
def test_caddy_itself_reads_the_caddyfile_as_https_for_the_domain_in_front_of_the_workers(
        compose: dict, tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path), "DVK_DOMAIN": "dvk.example.vn"}
    command = ["caddy", "{}", "--config", str(ROOT / "Caddyfile"), "--adapter", "caddyfile"]
    run = functools.partial(subprocess.run, env=env, capture_output=True, text=True, timeout=60)
    checked = run([part.replace("{}", "validate") for part in command])
    assert checked.returncode == 0, checked.stderr[-2000:]
    server = json.loads(run([part.replace("{}", "adapt") for part in command]).stdout)[
        "apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == [":443"]  # HTTPS; Caddy adds the redirect from :80
    [site] = server["routes"]
    assert site["match"] == [{"host": ["dvk.example.vn"]}]
    handlers = [h for route in site["handle"][0]["routes"] for h in route["handle"]]
    blocked = next(r for r in site["handle"][0]["routes"]
                   if r["handle"][0]["handler"] == "static_response")
    assert blocked["match"] == [{"path": ["/metrics"]}]
    assert blocked["handle"][0]["status_code"] == 404
    proxy = next(h for h in handlers if h["handler"] == "reverse_proxy")
    assert [u["dial"] for u in proxy["upstreams"]] == [f"{w}:8080" for w in workers(compose)]
    assert proxy["health_checks"]["active"]["uri"] == "/healthz"
