"""The built wheel works on its own: built from pyproject.toml, installed into a fresh
environment with the locked dependencies, and run from a folder with no checkout around
it, it serves pages (Arabic, right to left) and prints a plan, with the templates,
catalogs, static files and instruments it carries inside the package."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.liveserver import free_port
from tests.support.paths import ROOT

UV = shutil.which("uv")
pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed: cannot build the wheel")
# What a run outside any checkout must not inherit from the test run's environment.
DROP = ("DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV", "SCREENING_INSTRUMENTS", "SCREENING_LOCALES")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path  # the fresh environment's bin/ folder
    home: Path  # an empty working folder, no checkout around it

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in DROP and k[:10] != "SCREENING_"}
        return {**env, **extra}


def _uv(*args: str, cwd: Path = ROOT) -> None:
    assert UV is not None
    done = subprocess.run(
        [UV, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, f"uv {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("wheel")
    dist, venv, reqs = tmp / "dist", tmp / "venv", tmp / "reqs.txt"
    _uv("build", "--wheel", "--out-dir", str(dist), "--quiet")
    (wheel,) = dist.glob("screening-*.whl")
    # The locked dependencies, not the project; uv takes them from its cache.
    _uv("export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "-q", "-o", str(reqs))
    _uv("venv", "--quiet", "--python", sys.executable, str(venv))
    python = str(venv / "bin" / "python")
    _uv("pip", "install", "--quiet", "--python", python, "-r", str(reqs))
    _uv("pip", "install", "--quiet", "--python", python, "--no-deps", str(wheel))
    home = tmp / "elsewhere"
    home.mkdir()
    return Installed(wheel, venv / "bin", home)


def test_the_wheel_carries_templates_catalogs_static_files_and_instruments(
    installed: Installed,
) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    bundled = "screening/_bundled/"
    assert f"{bundled}templates/base.html" in names
    assert f"{bundled}templates/plan/plan.html" in names
    assert f"{bundled}templates/plan/plan.css" in names
    shipped = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "locales").rglob("*.mo"))
    assert shipped, "the checkout has compiled catalogs"
    assert [n for n in names if n.endswith(".mo")] == sorted(bundled + s for s in shipped)
    for path in (ROOT / "instruments").glob("*.yaml"):
        assert f"{bundled}instruments/{path.name}" in names
    for path in (ROOT / "screening" / "web" / "static").rglob("*"):
        if path.is_file():
            assert f"screening/{path.relative_to(ROOT / 'screening').as_posix()}" in names


def test_the_installed_package_finds_its_files_inside_itself(installed: Installed) -> None:
    code = (
        "from screening import resources as r\n"
        "for f in (r.instruments, r.locales, r.templates, r.static): print(f())\n"
    )
    done = subprocess.run(
        [str(installed.bin / "python"), "-c", code],
        cwd=installed.home,
        env=installed.env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    folders = [Path(line) for line in done.stdout.split()]
    assert len(folders) == 4
    for folder in folders:
        assert folder.is_dir() and "site-packages" in folder.parts, folder
        assert ROOT not in folder.parents


@pytest.fixture
def server(installed: Installed, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(installed.bin / "screening"), "serve", "--port", str(port)],
        cwd=installed.home,
        env=installed.env(SCREENING_INSTANCE=str(tmp_path / "instance")),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                _browser().open(f"{url}/static/icon.svg", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not answer in 30 s"
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _browser() -> urllib.request.OpenerDirector:
    """A client that keeps cookies, follows redirects and uses no proxy."""
    jar = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), jar)


def _get(browser: urllib.request.OpenerDirector, url: str) -> str:
    request = urllib.request.Request(url, headers={"Accept-Language": "ar"})
    with browser.open(request, timeout=10) as response:
        assert response.status == 200, url
        return str(response.read().decode("utf-8"))


def test_the_installed_server_serves_arabic_pages(server: str) -> None:
    browser = _browser()
    home = _get(browser, f"{server}/")
    assert '<html lang="ar" dir="rtl">' in home
    for asset in re.findall(r'(?:href|src)="(/static/[^"?]+)', home):
        _get(browser, server + asset)  # the stylesheet, script and icon from the wheel
    start = _get(browser, f"{server}/checkin")
    assert "/checkin/start" in start
    body = urllib.parse.urlencode({"lang": "ar", "instrument": "youth-check-in"}).encode()
    with browser.open(f"{server}/checkin/start", data=body, timeout=10) as response:
        page = response.read().decode("utf-8")  # the redirect leads to the first screen
    assert response.status == 200
    assert '<html lang="ar" dir="rtl">' in page
    # the interview has begun: the youth check-in opens on its education screen
    assert 'data-screen="education"' in page and 'action="/checkin/continue"' in page
    assert "شيء نقوله لكل شاب وشابة" in page  # its title, from the Arabic catalog


def test_the_installed_command_prints_a_plan(installed: Installed) -> None:
    answers = installed.home / "answers.yaml"
    shutil.copyfile(ROOT / "examples" / "youth-check-in-sam.yaml", answers)
    run = [str(installed.bin / "screening"), "plan", "youth-check-in", answers.name]
    for option, out in (("--html", "plan.html"), ("--pdf", "plan.pdf")):
        done = subprocess.run(
            [*run, "--locale", "ar", option, out],
            cwd=installed.home,
            env=installed.env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    html = (installed.home / "plan.html").read_text(encoding="utf-8")
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert "خطتي" in html  # "My plan", from the bundled Arabic catalog
    assert (installed.home / "plan.pdf").read_bytes().startswith(b"%PDF")


def test_the_installed_command_lints_its_bundled_instruments(installed: Installed) -> None:
    """``screening lint`` with no path reads the instruments inside the package, and the
    reading-level formula finds its syllable data offline (textstat's own files)."""
    done = subprocess.run(
        [str(installed.bin / "screening"), "lint"],
        cwd=installed.home,
        env=installed.env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "6 instrument file(s): no findings" in done.stdout


def test_the_wheel_carries_the_fonts_and_prints_with_them_alone(
    installed: Installed, tmp_path: Path
) -> None:
    """Every shipped face and its licence are package data; the installed command prints
    a Tigrinya plan under a fontconfig with no font at all, from those files alone."""
    from screening.render import fonts
    from tests.support.fonts import write_config

    names = zipfile.ZipFile(installed.wheel).namelist()
    for face in (*fonts.FACES, *fonts.AUTONYMS):
        assert f"screening/web/static/fonts/{face.file}" in names
    assert "screening/web/static/fonts/OFL.txt" in names
    answers = installed.home / "answers-ti.yaml"
    shutil.copyfile(ROOT / "examples" / "youth-check-in-sam.yaml", answers)
    empty = write_config(tmp_path / "nofonts", with_fonts=False)
    done = subprocess.run(
        [str(installed.bin / "screening"), "plan", "youth-check-in", answers.name,
         "--locale", "ti", "--pdf", "plan-ti.pdf"],
        cwd=installed.home, env=installed.env(FONTCONFIG_FILE=str(empty)),
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert ".notdef" not in done.stderr
    listed = subprocess.run(
        ["pdffonts", str(installed.home / "plan-ti.pdf")], capture_output=True, text=True
    ).stdout
    assert "Noto-Sans-Ethiopic" in listed


def test_the_run_command_installs_no_test_tool() -> None:
    """README's `uv run --no-dev screening serve`: the locked runtime set has no test
    tool; they are all in the dev group."""
    assert UV is not None
    done = subprocess.run(
        [UV, "export", "--frozen", "--no-dev", "--no-hashes", "-q"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    names = {re.split(r"[=<> ;\[]", line)[0].lower() for line in done.stdout.splitlines()}
    for tool in ("pytest", "hypothesis", "playwright", "mypy", "ruff", "schemathesis", "bandit"):
        assert tool not in names, tool
    assert "uv run --no-dev screening serve" in (ROOT / "README.md").read_text(encoding="utf-8")
