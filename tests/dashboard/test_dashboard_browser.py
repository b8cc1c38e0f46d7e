"""The dashboard in a real browser: `streamlit run` as `make dashboard` does, headless Chromium.

Why beyond AppTest: AppTest runs the script in-process and never renders. Only a browser shows
that the server starts from the command line with `-- --warehouse FILE`, that a user can reach a
township through the widgets, and that Chinese text is drawn with a CJK font rather than tofu
boxes (the Debian chromium + fonts-noto-cjk that `.ci/install-browser.sh` installs).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_helpers import APP, ROOT, query

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is absent (`bash .ci/install-browser.sh` as root installs it)",
)


@pytest.fixture(scope="module")
def browser_warehouse(request: pytest.FixtureRequest) -> Path:
    """The demo county; the mini warehouse while the demo cannot be built yet."""
    try:
        return request.getfixturevalue("demo_published")
    except pytest.skip.Exception:
        return request.getfixturevalue("mini_warehouse")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(browser_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run dashboard/app.py … -- --warehouse FILE` on a free port; its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if k != "BIANZHI_WAREHOUSE"}  # the argument rules
    streamlit = Path(sys.executable).with_name("streamlit")
    command = [str(streamlit)] if streamlit.exists() else [sys.executable, "-m", "streamlit"]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                *command,
                "run",
                str(APP),
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--",
                "--warehouse",
                str(browser_warehouse),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # the server's own health endpoint, polled until it answers
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer within 60 s: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_township_page_in_chromium(server: str, browser_warehouse: Path, tmp_path: Path):
    from playwright.sync_api import expect, sync_playwright

    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    assert fonts.stdout.strip(), "no CJK font installed (fc-list :lang=zh is empty)"

    as_of = query(browser_warehouse, "select max(as_of) from marts.township_summary")[0][0]
    code, name, authorized = query(
        browser_warehouse,
        "select township_code, any_value(township_name), sum(authorized) "
        "from marts.township_summary where as_of = ? "
        "group by township_code order by sum(occupied) desc, township_code limit 1",
        [as_of],
    )[0]

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2600}, locale="zh-CN")
            page.set_default_timeout(30_000)
            page.goto(server)
            page.get_by_test_id("stSidebar").get_by_text("乡镇", exact=True).click()
            page.get_by_test_id("stSelectbox").filter(has_text="选择乡镇").click()
            page.keyboard.type(name)  # narrows the (virtualised) option list, as a user would
            page.get_by_role("option", name=f"{name}（{code}）").click()

            heading = page.get_by_role("heading", name=name, exact=True)
            expect(heading).to_be_visible()
            figure = (
                page.get_by_test_id("stMetric")
                .filter(has_text="核定编制")
                .get_by_test_id("stMetricValue")
            )
            expect(figure).to_have_text(str(authorized))
            # The whole page has rendered before the screenshot: the last section's figure and
            # both of its charts are drawn, and the script is no longer running.
            expect(
                page.get_by_test_id("stMetric").filter(has_text="本科及以上占比")
            ).to_be_visible()
            charts = page.get_by_test_id("stVegaLiteChart")
            expect(charts).to_have_count(2)
            for i in range(2):
                expect(charts.nth(i).locator("canvas, svg").first).to_be_visible()
            expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()

            shot = tmp_path / "township.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            keep = os.environ.get("BIANZHI_SCREENSHOT_DIR")
            if keep:  # for a human look at the rendering
                shutil.copyfile(shot, Path(keep) / "township.png")

            # In the heading's own font, Chinese is not drawn as the .notdef box that code points
            # without any glyph (private use, unassigned) get: a CJK font is in use.
            widths = heading.evaluate(
                """h => {
                    const ctx = document.createElement('canvas').getContext('2d');
                    ctx.font = getComputedStyle(h).font;
                    return {
                        zh: ctx.measureText(h.innerText.trim()).width,
                        tofu: ctx.measureText('\\uE000'.repeat(h.innerText.trim().length)).width,
                        em: parseFloat(getComputedStyle(h).fontSize),
                    };
                }"""
            )
            assert widths["zh"] != pytest.approx(widths["tofu"], abs=0.5), widths
            # CJK glyphs are full-width: one em each.
            assert widths["zh"] == pytest.approx(widths["em"] * len(name), rel=0.05), widths
        finally:
            browser.close()
