"""Schema = server, checked as a partner would: schemathesis' own command line against a real
gunicorn serving the API, every check on (`--checks all`: server errors, status codes, content
types, headers, bodies, schema-valid requests accepted, invalid ones refused, ...) and every
phase, the stateful one included (it follows the links between operations, e.g. a list's slugs
into the detail)."""

import os
import re
import subprocess

import pytest

from tests.processes import PYTHON, Server, collect_static, manage, seed_site, site_environment

pytestmark = pytest.mark.processes

SCHEMATHESIS = PYTHON.with_name("schemathesis")
EXAMPLES = os.environ.get("NEWSROOM_SCHEMATHESIS_EXAMPLES", "40")


def test_schemathesis_finds_no_failure_with_every_check_and_phase(tmp_path):
    static_root = tmp_path / "static"
    collect_static(static_root)
    env = site_environment(
        tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}", static_root=static_root
    )
    key = seed_site(env)
    manage(env, "demo_content", "--articles", "30", timeout=300)
    # gunicorn refuses request lines over 4,094 bytes with its own HTML page before the API
    # sees them; the fuzzer's longest are the API's to answer, so the limit is lifted here.
    with Server(env, tmp_path, options=("--limit-request-line", "0")) as server:
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"http://127.0.0.1:{server.port}/api/v1/schema/?format=json",
                *("--checks", "all"),
                *("--phases", "examples,coverage,fuzzing,stateful"),
                *("--header", f"Authorization: Api-Key {key}"),
                *("--max-examples", EXAMPLES),
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
    report = run.stdout + run.stderr
    print(report[-3000:])  # the counts, for the closing note; the failures, if any
    assert run.returncode == 0, report[-8000:]
    assert "No issues found" in report
    assert re.search(r"Stateful.*?(\d+) passed", report, re.S), "the stateful phase ran"
