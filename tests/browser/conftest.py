# SPDX-License-Identifier: Apache-2.0
"""pytest fixtures for the browser tests: the same real invqr instance as the
integration tests (tests/harness.py), one headless Debian Chromium driven by
Debian's chromedriver for the whole session, and the helpers the tests share
(the demo citizens, the page under test, axe-core).

Every test fails if the httpd error log or the worker log gained an error or
warning line it did not declare with @pytest.mark.allow_log(regex). Every
test starts with no cookies (no session, no language choice) and with a
desktop-sized viewport.

Nothing here downloads anything: the browser is /usr/bin/chromium, the
driver /usr/bin/chromedriver, axe-core is node_modules/axe-core (npm ci).
"""
import contextlib
import csv
import json
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
# the instance, the log check and the allow_log marker come from the harness
import harness  # noqa: E402
from harness import ROOT, clean_logs, invqr, pytest_configure  # noqa: E402,F401

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
CITIZENS_CSV = ROOT / "schema" / "demo" / "citizens.csv"

DESKTOP = (1280, 900)
MOBILE = (320, 800)
WAIT = 10          # seconds: the longest any condition may take to come true


# -- the demo citizens (schema/demo/citizens.csv) ---------------------------

def demo_citizens():
    with open(CITIZENS_CSV, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def demo_fiscal_code(definitive):
    """The first demo citizen whose `definitive` column is 'Y' or 'N'."""
    for row in demo_citizens():
        if row["definitive"].strip().upper() == definitive:
            return row["fiscal_code"].strip().upper()
    raise LookupError(f"{CITIZENS_CSV} has no citizen with definitive={definitive}")


# Official odd-position values for A-Z (digits take the value of the letter
# with the same index: 0 as A, 1 as B, ...), DM 23/12/1976.
_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14,
        16, 10, 22, 25, 24, 23]


def fiscal_check_char(first15):
    total = 0
    for i, c in enumerate(first15.upper()):
        idx = int(c) if c.isdigit() else ord(c) - ord("A")
        total += _ODD[idx] if i % 2 == 0 else idx
    return chr(ord("A") + total % 26)


ELIGIBLE_FC = demo_fiscal_code("Y")
# another eligible citizen, for pages that leave the citizen's code unusable
SECOND_ELIGIBLE_FC = [r["fiscal_code"].strip().upper() for r in demo_citizens()
                      if r["definitive"].strip().upper() == "Y"][-1]
assert SECOND_ELIGIBLE_FC != ELIGIBLE_FC
# codes live a year here, so the citizen pages show their last day (and one
# test shows an expired code)
harness.SESSION_ENV["INVQR_CODE_MAX_AGE_DAYS"] = "365"
NOT_DEFINITIVE_FC = demo_fiscal_code("N")
# Well formed, right check character, in no row of the demo data.
NO_RECORD_FC = "VRDLGU80A01L219" + fiscal_check_char("VRDLGU80A01L219")
# The eligible citizen's code with a wrong check character: a 400.
BAD_FC = ELIGIBLE_FC[:15] + chr((ord(fiscal_check_char(ELIGIBLE_FC[:15])) - ord("A") + 1) % 26
                                + ord("A"))


# -- fixtures -------------------------------------------------------------------

@pytest.fixture(scope="session")
def driver():
    profile = tempfile.mkdtemp(prefix="invqr-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--disable-extensions", "--disable-default-apps",
                "--hide-scrollbars", "--force-device-scale-factor=1",
                "--lang=it-IT", f"--user-data-dir={profile}",
                "--window-size=%d,%d" % DESKTOP]:
        opts.add_argument(arg)
    # The person's language is Italian unless a test chooses otherwise.
    opts.add_experimental_option("prefs", {"intl.accept_languages": "it-IT,it"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        drv.set_page_load_timeout(30)
        drv.set_script_timeout(30)
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(driver, invqr):
    """The session's browser, reset for one test: no cookies, desktop size;
    afterwards the viewport is the window's own again."""
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get("about:blank")
    set_viewport(driver, *DESKTOP)
    yield driver
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# -- helpers -----------------------------------------------------------------------

def set_viewport(driver, width, height):
    """Make the layout viewport width x height CSS pixels.

    This is the DevTools protocol's device-metrics override, not a window
    resize: the size is set, not computed from sizes read back from a page
    that may still be loading (a resize from such sizes once asked Chromium
    for a negative width, "'width' out of range"). The override holds for
    the tab across navigations until cleared (the browser fixture clears it
    after each test); media queries and window.innerWidth see exactly it."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    assert inner == [width, height], \
        f"cannot make the viewport {width}x{height} (it is {inner[0]}x{inner[1]})"


def wait_for(driver, condition, what, timeout=WAIT, ignored=()):
    try:
        return WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(condition)
    except TimeoutException:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}; "
                             f"at {driver.current_url}") from None


@contextlib.contextmanager
def next_page(driver):
    """Around a click or a key that submits: on leaving, the next document
    has replaced this one and finished loading. (The old document is marked;
    while the browser is between the two, asking may fail: that only means
    not yet.)"""
    driver.execute_script("document.__invqrLeaving = true;")
    yield
    wait_for(driver, lambda d: d.execute_script(
        "return !document.__invqrLeaving && document.readyState === 'complete';"),
        "the next page", ignored=(WebDriverException,))


def http_status(driver):
    """The HTTP status of the document now shown (the last response of its
    navigation, after any redirect)."""
    return driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0];"
        "return n ? n.responseStatus : null;")


def stylesheet_loaded(driver):
    return driver.execute_script(
        "return Array.from(document.styleSheets).some(s => s.href && "
        "s.href.endsWith('/static/invqr.css') && s.cssRules.length > 0);")


def demo_sign_in(driver, invqr, fiscal_code, csrf=None):
    """Fill in and send the demo sign-in form of /citizen like a person
    would; csrf, when given, first replaces the form's hidden token."""
    driver.get(invqr.url + "/citizen")
    field = driver.find_element(By.ID, "fiscal_code")
    form = field.find_element(By.XPATH, "ancestor::form")
    if csrf is not None:
        hidden = form.find_element(By.CSS_SELECTOR, 'input[name="csrf"]')
        driver.execute_script("arguments[0].value = arguments[1];", hidden, csrf)
    field.send_keys(fiscal_code)
    with next_page(driver):
        form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()


# -- axe-core ---------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE_SOURCE = None


def run_axe(driver):
    """axe-core on the current document, WCAG 2.1 A and AA rules only;
    returns axe's result object (violations, incomplete, passes, ...)."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        assert AXE_JS.is_file(), f"{AXE_JS} is missing: run `npm ci` in {HERE}"
        _AXE_SOURCE = AXE_JS.read_text(encoding="utf-8")
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(_AXE_SOURCE)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: "
        "['violations']})"
        ".then(r => done({ok: true, violations: r.violations, incomplete: r.incomplete}),"
        "      e => done({ok: false, error: String(e && e.stack || e)}));", AXE_TAGS)
    assert result["ok"], "axe-core failed to run: " + result["error"]
    return result


def format_violations(violations):
    """A report a developer can act on: rule, impact, what to do, where."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact') or 'no impact given'}): {v['help']}")
        lines.append(f"  {v.get('helpUrl', '')}")
        for node in v["nodes"]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t
                              for t in node["target"])
            lines.append(f"    at {target}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", "\n         ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)
