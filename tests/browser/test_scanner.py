# SPDX-License-Identifier: Apache-2.0
"""The camera scanner of /verify and of the operator's home
(static/invqr-scan.js with the vendored jsQR): Chromium gets a fake camera
whose video is the QR of a real attestation (the citizen page's SVG, drawn
into Y4M frames here), the scanner started by keyboard reads the code into
the code field, and the verification then succeeds; at 1280 and 360 px, axe
finding nothing with the camera on. Where there is no camera (no HTTPS, no
device, permission denied) the page says so and typing stays."""
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import (CHROMEDRIVER, CHROMIUM, DESKTOP, ELIGIBLE_FC, demo_sign_in,
                      format_violations, next_page, run_axe, set_viewport, wait_for)
from test_a11y import DEMO_OPERATOR, _generate_code
from test_print import PHONE, shown

FAKE_HOST = "invqr-plain.test"     # resolved to 127.0.0.1: an origin that is not secure


def qr_modules(driver):
    """The dark modules of the citizen page's QR: (size, [(x, y, run), ...])
    from the SVG's viewBox and its run path (invqr_qr_svg.c)."""
    svg = driver.find_element(By.CSS_SELECTOR, "section.qr-show svg")
    size = int(driver.execute_script("return arguments[0].viewBox.baseVal.width", svg))
    d = svg.find_element(By.TAG_NAME, "path").get_attribute("d")
    runs = [tuple(map(int, m)) for m in re.findall(r"M(\d+) (\d+)h(\d+)", d)]
    assert runs, d
    return size, runs


def write_y4m(path, size, runs, width=640, height=480, frames=4):
    """A 4:2:0 YUV4MPEG2 video of the QR centred on white, `frames` equal
    frames (Chromium loops the file)."""
    scale = (min(width, height) - 40) // size
    x0, y0 = (width - size * scale) // 2, (height - size * scale) // 2
    y = bytearray(b"\xff" * (width * height))
    for mx, my, n in runs:
        for row in range(my * scale, (my + 1) * scale):
            start = (y0 + row) * width + x0 + mx * scale
            y[start:start + n * scale] = b"\x10" * (n * scale)
    chroma = b"\x80" * ((width // 2) * (height // 2) * 2)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n")
            f.write(y)
            f.write(chroma)


@pytest.fixture(scope="module")
def qr_code_video(driver, invqr):
    """The eligible citizen's code and a Y4M video of its QR."""
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    set_viewport(driver, *DESKTOP)
    code = _generate_code(driver, invqr)
    size, runs = qr_modules(driver)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    tmp = Path(tempfile.mkdtemp(prefix="invqr-camera-"))
    write_y4m(tmp / "qr.y4m", size, runs)
    yield code, tmp / "qr.y4m"
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def camera(qr_code_video):
    """A second headless Chromium whose camera films the QR (and that
    resolves FAKE_HOST to the loopback, for the insecure-origin case)."""
    code, video = qr_code_video
    profile = tempfile.mkdtemp(prefix="invqr-chromium-camera-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--lang=it-IT", f"--user-data-dir={profile}",
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
                f"--host-resolver-rules=MAP {FAKE_HOST} 127.0.0.1",
                "--window-size=%d,%d" % DESKTOP]:
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "it-IT,it"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        drv.set_page_load_timeout(30)
        drv.set_script_timeout(30)
        yield drv, code
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def cam(camera):
    drv, code = camera
    drv.execute_cdp_cmd("Network.clearBrowserCookies", {})
    drv.get("about:blank")
    yield drv, code
    drv.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def grouped(code):
    return "-".join(code[i:i + 5] for i in range(0, 20, 5))


def scan_by_keyboard(drv, code):
    """Start the scanner with the keyboard, as a person would; wait until
    the code field holds the code read."""
    start = drv.find_element(By.ID, "scan-start")
    wait_for(drv, lambda d: shown(d, "#scan-start"), "the scanner's button")
    assert start.accessible_name == "Inquadri il QR con la fotocamera"
    # reached with Tab from the content before it, started with Enter
    drv.execute_script("arguments[0].focus()", start)
    start.send_keys(Keys.ENTER)
    wait_for(drv, lambda d: d.find_element(By.ID, "code").get_attribute("value") == grouped(code),
             "the code read from the camera")
    status = drv.find_element(By.ID, "scan-status")
    assert status.get_attribute("role") == "status"
    assert grouped(code) in status.text
    # the camera is off again and the focus waits on the fiscal code
    assert shown(drv, "#scan-video") is False
    assert drv.switch_to.active_element.get_attribute("id") == "fiscal_code"


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_verify_reads_the_code_from_the_camera(cam, invqr, size, tmp_path):
    drv, code = cam
    set_viewport(drv, *size)
    drv.get(invqr.url + "/verify")
    # the camera on: the picture shows and axe finds nothing
    drv.find_element(By.ID, "scan-start").click()
    wait_for(drv, lambda d: shown(d, "#scan-video") or
             d.find_element(By.ID, "code").get_attribute("value"), "the camera")
    drv.save_screenshot(str(tmp_path / f"scanner-{size[0]}.png"))
    violations = run_axe(drv)["violations"]
    assert not violations, format_violations(violations)
    wait_for(drv, lambda d: d.find_element(By.ID, "code").get_attribute("value") == grouped(code),
             "the code read from the camera")
    drv.get(invqr.url + "/verify")
    scan_by_keyboard(drv, code)
    drv.switch_to.active_element.send_keys(ELIGIBLE_FC)
    with next_page(drv):
        drv.switch_to.active_element.send_keys(Keys.ENTER)
    assert drv.find_elements(By.CSS_SELECTOR, '[data-field="civil_invalidity"]'), \
        drv.find_element(By.TAG_NAME, "main").text


def test_the_operator_home_reads_the_code_from_the_camera(cam, invqr):
    drv, code = cam
    drv.get(invqr.url + "/operator/login")
    drv.find_element(By.ID, "username").send_keys(DEMO_OPERATOR[0])
    drv.find_element(By.ID, "password").send_keys(DEMO_OPERATOR[1])
    with next_page(drv):
        drv.find_element(By.ID, "password").send_keys(Keys.ENTER)
    assert drv.find_element(By.ID, "scanner")
    scan_by_keyboard(drv, code)
    violations = run_axe(drv)["violations"]
    assert not violations, format_violations(violations)


def test_the_stop_button_turns_the_camera_off(cam, invqr):
    drv, code = cam
    drv.get(invqr.url + "/verify")
    # a video that never shows a QR is not at hand: stop before the first read
    drv.execute_script("window.jsQR = () => null;")
    drv.find_element(By.ID, "scan-start").send_keys(Keys.ENTER)
    wait_for(drv, lambda d: shown(d, "#scan-stop"), "the Stop button")
    assert drv.switch_to.active_element.get_attribute("id") == "scan-stop"
    drv.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(drv, lambda d: shown(d, "#scan-start"), "the Start button again")
    assert shown(drv, "#scan-video") is False
    assert drv.find_element(By.ID, "scan-status").text == "Fotocamera spenta."
    assert drv.execute_script(
        "return document.getElementById('scan-video').srcObject === null")
    assert drv.find_element(By.ID, "code").get_attribute("value") == ""


def test_a_plain_http_address_says_the_camera_needs_https(cam, invqr):
    drv, code = cam
    url = invqr.url.replace("127.0.0.1", FAKE_HOST)
    drv.get(url + "/verify")
    assert drv.execute_script("return window.isSecureContext") is False
    drv.find_element(By.ID, "scan-start").click()
    wait_for(drv, lambda d: "HTTPS" in d.find_element(By.ID, "scan-status").text,
             "the page saying why")
    # typing is still there
    assert shown(drv, "input#code")


def get_user_media(drv):
    return drv.execute_async_script(
        "const done = arguments[0];"
        "navigator.mediaDevices.getUserMedia({video: true}).then("
        "  s => { s.getTracks().forEach(t => t.stop()); done('ok'); }, e => done(e.name));")


def test_the_camera_is_allowed_on_the_scanner_pages_only(cam, invqr):
    """Permissions-Policy as the browser enforces it: the same camera that
    films on /verify is refused on every other page."""
    drv, code = cam
    drv.get(invqr.url + "/verify")
    assert get_user_media(drv) == "ok"
    for path in ("/", "/citizen", "/benefits", "/operator/login"):
        drv.get(invqr.url + path)
        assert get_user_media(drv) == "NotAllowedError", path


def test_a_refused_permission_says_so(cam, invqr):
    """The browser's own refusal cannot be had with a fake camera whose
    prompt always accepts: the page's getUserMedia refuses the way a
    browser does when the person says no (a NotAllowedError)."""
    drv, code = cam
    ident = drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
        "navigator.mediaDevices.getUserMedia = () => "
        "Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));")})["identifier"]
    try:
        drv.get(invqr.url + "/verify")
        drv.find_element(By.ID, "scan-start").click()
        wait_for(drv, lambda d: "non è consentito" in d.find_element(By.ID, "scan-status").text,
                 "the page saying why")
    finally:
        drv.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": ident})
    assert shown(drv, "#scan-start")
    assert shown(drv, "input#code")


def test_without_a_camera_the_page_says_so(browser, invqr):
    # the session's browser has no camera at all
    browser.get(invqr.url + "/verify")
    browser.find_element(By.ID, "scan-start").click()
    wait_for(browser, lambda d: "Nessuna fotocamera" in d.find_element(By.ID, "scan-status").text,
             "the page saying why")
    assert shown(browser, "#scan-start")
    assert shown(browser, "#scan-video") is False
    assert shown(browser, "input#code")


def test_without_script_only_typing_shows(browser, invqr):
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/static/invqr-scan.js"]})
    try:
        browser.get(invqr.url + "/verify")
        assert shown(browser, "#scan-start") is False
        assert shown(browser, "input#code")
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        browser.execute_cdp_cmd("Network.disable", {})
