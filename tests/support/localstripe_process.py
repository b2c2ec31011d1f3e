"""localstripe for the tests: a server speaking Stripe's API, started as a subprocess on a free port.

localstripe (PyPI) and its dependencies (aiohttp…) are only a server process for the tests: they live in a
virtual environment of their own, ``.venv-localstripe`` at the repository's root, made on first use from the
pinned and hash-checked ``requirements/localstripe.lock`` (a fresh clone, CI), and made again when the lock
changes. The project's own environment never imports them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "localstripe.lock"
VENV = ROOT / ".venv-localstripe"
SERVER = Path(__file__).with_name("localstripe_server.py")
SECRET_KEY = "sk_test_charge_localstripe"
START_TIMEOUT = 30.0


def _python() -> Path:
    return VENV / "bin" / "python"


def ensure_environment() -> Path:
    """localstripe's interpreter, its environment made (or remade) from the lock file when needed."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOT / ".venv-localstripe.lock", "w") as guard:   # one installer at a time (parallel sessions)
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not stamp.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
            env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")} | {"PIP_CONFIG_FILE": "/dev/null"}
            subprocess.run([str(_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "--require-hashes", "-r", str(LOCK)], check=True, env=env)
            stamp.touch()
    return _python()


def _free_port() -> int:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        sock.bind(("::", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    request = urllib.request.Request(f"{url}/v1/customers?limit=1",
                                     headers={"Authorization": f"Bearer {SECRET_KEY}"})
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


class LocalStripe:
    def __init__(self, url: str, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.process = process
        self.secret_key = SECRET_KEY

    def register_webhook(self, name: str, url: str, secret: str) -> None:
        """localstripe posts its events (signed with ``secret``) to ``url`` from now on."""
        body = f"url={url}&secret={secret}".encode()
        request = urllib.request.Request(f"{self.url}/_config/webhooks/{name}", data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=5):
            pass


@contextlib.contextmanager
def running_localstripe(log: Path) -> Iterator[LocalStripe]:
    python = ensure_environment()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        process = subprocess.Popen([str(python), "-P", str(SERVER), str(port)], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"localstripe did not start (see {log}): {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield LocalStripe(url, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStripe]:
    with running_localstripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log") as server:
        yield server
