"""The README's first command, as a new user runs it: scripts/run sets up and serves the demo site,
and tells the address it really serves (NEWSROOM_ADDR)."""

import os
import signal
import subprocess
import time

import pytest

from tests.processes import ROOT, answers, free_port, get, wait_until

pytestmark = pytest.mark.processes


def test_scripts_run_serves_and_prints_the_address_newsroom_addr_names(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_", "PYTEST_", "DATABASE_", "CACHE_"))
    }
    env.update(
        NEWSROOM_ADDR=f"127.0.0.1:{port}",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
    )
    credentials = ROOT / ".local-admin"
    kept = credentials.read_text() if credentials.exists() else None  # a developer's own login
    server = subprocess.Popen(
        ["scripts/run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        printed = []
        deadline = time.time() + 300
        while time.time() < deadline and not any(line.startswith("Newsroom: ") for line in printed):
            line = server.stdout.readline()
            if not line:
                break
            printed.append(line)
        announced = [line for line in printed if line.startswith(("Newsroom: ", "Admin login: "))]
        assert any(f"http://127.0.0.1:{port}/ " in line for line in announced), printed[-20:]
        assert all("127.0.0.1:8000" not in line for line in announced), announced
        wait_until(lambda: answers(("127.0.0.1", port)), timeout=60, interval=0.2)
        home = get(port, "/")
        assert home.status == 200 and 'href="/articles/' in home.body  # the demo content
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if kept is not None:
            credentials.write_text(kept)
