"""Staff use the preview in a real browser: Debian's headless Chromium, driven through its own
chromedriver (Selenium downloads nothing), against the app served by uvicorn on loopback with
an admin token, which the browser sends on every request as a proxy or an extension would."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.ui import Select, WebDriverWait

from bot.app import create_app
from bot.i18n import Catalogs
from bot.messages import Channel, Inbound
from bot.runtime import Runtime
from bot.server import uvicorn_options
from gfmd_info.knowledge import Knowledge
from tests.support.staff_runtime import ADMIN_TOKEN, AS_STAFF, staff_runtime

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
)
ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
# A closed network and no sandbox for root; nothing that phones home or updates itself.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WAIT_SECONDS = 10


@pytest.fixture
def runtime(tmp_path: Path, knowledge: Knowledge, catalogs: Catalogs) -> Runtime:
    return staff_runtime(tmp_path / "var", knowledge, catalogs, gfmd_bot_admin_token=ADMIN_TOKEN)


@pytest.fixture
def served(runtime: Runtime) -> Iterator[str]:
    """The whole app (channels and staff routes) under uvicorn in a thread; its base URL."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))  # held from here on: no other process can take the port
    port = listening.getsockname()[1]
    app = create_app(runtime.settings, runtime)
    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options("127.0.0.1", port)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                pytest.fail("uvicorn stopped before it served")
            thread.join(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(WAIT_SECONDS)
        listening.close()


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebDriver]:
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager: never look for a driver online
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": AS_STAFF})
        yield driver
    finally:
        driver.quit()


def people_wrote(runtime: Runtime) -> None:
    """What the page reports on, put in the store first: the preview's own turns count nothing."""
    for number in ("+971501234567", "+971501234568"):
        key = runtime.user_key(Channel.SMS, number)
        runtime.conversation.handle(Inbound(Channel.SMS, key, "my boss did not pay me"))
    with runtime.store.person("unanswered") as session:
        day = dt.datetime.now(dt.UTC).date()
        session.record_unanswered("en", "call me on 0501234567 about my visa", day)


def test_staff_ask_in_arabic_by_sms_and_see_the_answer_right_to_left_the_chart_and_the_gaps(
    runtime: Runtime, served: str, browser: WebDriver
) -> None:
    people_wrote(runtime)
    browser.get(f"{served}/preview")
    assert browser.title == "gfmd-bot preview", browser.page_source[:500]

    Select(browser.find_element(By.ID, "channel")).select_by_value("sms")
    Select(browser.find_element(By.ID, "lang")).select_by_value("ar")
    box = browser.find_element(By.NAME, "text")
    box.send_keys("صاحب العمل لا يدفع راتبي")
    browser.find_element(By.CSS_SELECTOR, "#f button").click()

    wait = WebDriverWait(browser, WAIT_SECONDS)
    answer = wait.until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#log .bot")))
    assert answer.get_attribute("dir") == "rtl"
    direction = browser.execute_script("return getComputedStyle(arguments[0]).direction", answer)
    assert direction == "rtl"
    assert ARABIC_LETTER.search(answer.text), answer.text
    segments = browser.find_element(By.CSS_SELECTOR, "#log .bot + .meta").text
    assert re.fullmatch(r"ucs2, [1-3] segment\(s\)", segments), segments

    bars = browser.find_elements(By.CSS_SELECTOR, "#usage svg rect.bar")
    assert bars and any(float(bar.get_attribute("height") or 0) > 0 for bar in bars)
    gaps = browser.find_element(By.ID, "gaps").text
    assert "call me on # about my visa" in gaps
    assert "0501234567" not in browser.page_source
