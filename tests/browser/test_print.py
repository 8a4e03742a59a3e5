# SPDX-License-Identifier: Apache-2.0
"""The citizen page shows the attestation's QR on screen, to show from a
phone or print: the inline SVG scans to the same address as the PDF's QR,
the Print button (an external script, the CSP allows no inline one) calls
the browser's print, and the print stylesheet keeps the QR section alone;
axe finds nothing, on a desktop and on a 360 px phone."""
import subprocess

import pytest

from selenium.webdriver.common.by import By

from conftest import DESKTOP, format_violations, run_axe, set_viewport
from test_a11y import _generate_code

PHONE = (360, 780)


def shown(driver, selector):
    """Whether the first element matching selector takes room on the page."""
    return driver.execute_script(
        "const el = document.querySelector(arguments[0]);"
        "if (!el) return null;"
        "const r = el.getBoundingClientRect();"
        "return getComputedStyle(el).display !== 'none' && r.width > 0 && r.height > 0;",
        selector)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_the_qr_on_screen_scans_prints_alone_and_passes_axe(browser, invqr, size, tmp_path):
    set_viewport(browser, *size)
    code = _generate_code(browser, invqr)
    url = (invqr.url + "/V/" + code).upper()

    svg = browser.find_element(By.CSS_SELECTOR, 'section.qr-show svg[role="img"]')
    title = svg.find_element(By.TAG_NAME, "title")
    assert url in title.get_attribute("textContent")
    assert browser.execute_script("return arguments[0].getBBox().width > 0", svg)
    # the symbol on screen is the PDF's: a camera reads the same address
    png = tmp_path / "qr.png"
    png.write_bytes(svg.screenshot_as_png)
    got = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    assert got.stdout.strip() == url, got.stderr
    assert browser.find_element(By.CSS_SELECTOR, '[data-field="qr-code"]').text == \
        "-".join(code[i:i + 5] for i in range(0, 20, 5))

    violations = run_axe(browser)["violations"]
    assert not violations, format_violations(violations)

    # the script showed the button, and the button prints
    assert shown(browser, "#print-attestation")
    browser.execute_script("window.__printed = 0; window.print = () => { window.__printed++; };")
    browser.find_element(By.ID, "print-attestation").click()
    assert browser.execute_script("return window.__printed") == 1

    # on paper: the QR section alone, without the button and the hints
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        for gone in (".site-header", ".site-footer", 'section[aria-labelledby="eligibility"]',
                     "#print-attestation", ".qr-show .hint"):
            assert shown(browser, gone) is False, gone
        for kept in (".qr-show", ".qr-show svg", '[data-field="qr-code"]'):
            assert shown(browser, kept), kept
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert shown(browser, ".site-header")


def test_without_the_script_the_page_says_how_to_print(browser, invqr):
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/static/invqr-print.js"]})
    try:
        _generate_code(browser, invqr)
        browser.refresh()
        assert shown(browser, "#print-attestation") is False
        assert "Ctrl+P" in browser.find_element(By.CSS_SELECTOR, ".qr-show .hint").text
        assert shown(browser, ".qr-show svg")
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        browser.execute_cdp_cmd("Network.disable", {})
    # and with it, the button is there
    browser.refresh()
    assert shown(browser, "#print-attestation")
