"""A real Varnish in front (Debian's varnish and varnish-modules for xkey, the VCL of
deploy/varnish/): pages come from Varnish, a publish shows through it within about a second (the
site purges the page's tags after the commit), and a draft's save purges nothing."""

import shutil
import subprocess
import time

import pytest

from tests.conftest import require_tool
from tests.processes import (
    PYTHON,
    ROOT,
    Server,
    collect_static,
    free_port,
    get,
    seed_site,
    shell,
    site_environment,
    wait_until,
)

pytestmark = pytest.mark.processes
VCL = ROOT / "deploy" / "varnish" / "newsroom.vcl"


class Varnish:
    def __init__(self, backend_port: int, folder):
        self.port, self.folder = free_port(), folder
        self.vcl = folder / "newsroom.vcl"
        self.vcl.write_text(VCL.read_text().replace('.port = "8000"', f'.port = "{backend_port}"'))

    def __enter__(self):
        command = ["varnishd", "-F", "-j", "none", "-n", str(self.folder / "varnish")]
        command += ["-a", f"127.0.0.1:{self.port}", "-f", str(self.vcl), "-s", "malloc,64m"]
        command += ["-T", "none"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            wait_until(lambda: self.answers(), timeout=30, interval=0.2)
        except AssertionError:
            self.__exit__()
            raise
        return self

    def answers(self) -> bool:
        try:
            return get(self.port, "/").status == 200
        except OSError:
            return False

    def __exit__(self, *exc_info):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def get(self, path: str):
        return get(self.port, path)


PUBLISH = """
import time
from django.utils import timezone
from articles.models import Article, Category
Article.objects.create(
    title="Through the front", slug="through-the-front", summary="S.", body="<p>B.</p>",
    category=Category.objects.get(slug="markets"), status="published", published_at=timezone.now(),
)
print(time.time(), flush=True)  # committed (autocommit): the purges follow
"""
SAVE_A_DRAFT = """
from articles.models import Article
draft = Article.objects.get(slug="waiting-draft")
draft.body = "<p>Still not public.</p>"
draft.save()
"""


def test_pages_come_from_varnish_and_follow_a_publish_but_not_a_draft(tmp_path):
    require_tool(shutil.which("varnishd"), "Varnish (apt-get install varnish varnish-modules)")
    static = tmp_path / "static"
    collect_static(static)
    env = site_environment(tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}", static_root=static)
    seed_site(env)
    site = Server(env, tmp_path)  # its port is chosen: Varnish is told it, the site Varnish's
    front = Varnish(site.port, tmp_path)
    env["NEWSROOM_PURGE_URL"] = f"http://127.0.0.1:{front.port}/"
    with site, front as varnish:
        varnish.get("/")
        home = varnish.get("/")
        assert home.headers["X-Cache-Front"] == "hit", home.headers
        assert "s-maxage=300" in site.get("/").headers["Cache-Control"]
        assert "xkey" not in home.headers  # the tags stay between the site and Varnish

        shell(env, SAVE_A_DRAFT)
        time.sleep(1.5)  # longer than the site's second purge would take
        assert varnish.get("/").headers["X-Cache-Front"] == "hit"

        writer = subprocess.Popen(
            [str(PYTHON), "manage.py", "shell", "-v", "0", "-c", PUBLISH],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        wait_until(lambda: "through-the-front" in varnish.get("/").body, timeout=10)
        seen = time.time()
        committed = float(writer.communicate(timeout=30)[0].split()[-1])
        print(f"\npublish → fresh home through Varnish: {seen - committed:.2f} s after the commit")
        assert seen - committed <= 1.5
        article = varnish.get("/articles/through-the-front/")
        assert article.status == 200
