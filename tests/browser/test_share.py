# SPDX-License-Identifier: Apache-2.0
"""The citizen page's Share button (static/invqr-share.js) hands the
attestation PDF to the phone's share sheet through the Web Share API, and
only where the browser can share files: elsewhere it stays hidden and the
download link is the way. The browser's API is replaced before any page
script runs (DevTools' Page.addScriptToEvaluateOnNewDocument), so the test
sees exactly what the page hands over: the file must be the PDF of the
citizen's code, under its dated file name. Keyboard only, at 1280 and 360
px, axe finding nothing."""
import base64
import subprocess

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import DESKTOP, format_violations, run_axe, set_viewport, wait_for
from test_a11y import _generate_code
from test_print import PHONE, shown

# A browser that shares files: navigator.share records what it is given.
SHARES_FILES = """
window.__shared = [];
Object.defineProperty(Navigator.prototype, 'canShare', {configurable: true, writable: true,
  value: function (d) { return !!d && Array.isArray(d.files) && d.files.length > 0 &&
                        d.files.every(f => f.type === 'application/pdf'); }});
Object.defineProperty(Navigator.prototype, 'share', {configurable: true, writable: true,
  value: async function (d) {
    const f = d.files[0], bytes = new Uint8Array(await f.arrayBuffer());
    let bin = ''; for (const b of bytes) bin += String.fromCharCode(b);
    window.__shared.push({name: f.name, type: f.type, title: d.title, pdf: btoa(bin)});
    if (window.__refuse) throw new DOMException('refused', 'NotAllowedError');
  }});
"""
# A browser without the API (a desktop browser, an older phone).
NO_SHARE = """
delete Navigator.prototype.share; delete Navigator.prototype.canShare;
"""
# A browser that shares, but not files (Web Share level 1 only).
NO_FILES = """
Object.defineProperty(Navigator.prototype, 'share', {configurable: true, writable: true,
  value: async function (d) { window.__shared = d; }});
Object.defineProperty(Navigator.prototype, 'canShare', {configurable: true, writable: true,
  value: function (d) { return !(d && d.files); }});
"""


@pytest.fixture
def api(browser):
    """Install one of the scripts above in every new document of the test."""
    ids = []

    def install(source):
        ids.append(browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                           {"source": source})["identifier"])
    yield install
    for i in ids:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": i})


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_share_hands_over_the_pdf_of_the_code(browser, invqr, api, size, tmp_path):
    api(SHARES_FILES)
    set_viewport(browser, *size)
    code = _generate_code(browser, invqr)
    button = browser.find_element(By.ID, "share-attestation")
    wait_for(browser, lambda d: shown(d, "#share-attestation"), "the Share button")
    assert button.tag_name == "button" and button.get_attribute("type") == "button"
    assert button.accessible_name == "Condividi il PDF"
    violations = run_axe(browser)["violations"]
    assert not violations, format_violations(violations)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    browser.save_screenshot(str(tmp_path / f"share-{size[0]}.png"))

    # the PDF is fetched as the button shows, so the click can share at once
    wait_for(browser, lambda d: d.execute_script(
        "return performance.getEntriesByType('resource').some(e => e.name.endsWith(arguments[0]))",
        button.get_attribute("data-pdf")), "the PDF fetched ahead of the click")
    # by keyboard: Tab from the download link reaches it, Enter shares
    browser.find_element(By.ID, "download-attestation").send_keys(Keys.TAB)
    assert browser.switch_to.active_element == button
    button.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: d.execute_script("return window.__shared.length") == 1,
             "the share sheet")
    shared = browser.execute_script("return window.__shared[0]")
    assert shared["type"] == "application/pdf"
    assert shared["name"] == button.get_attribute("data-file-name")
    assert shared["name"].startswith("attestazione-invalidita-") and shared["name"].endswith(".pdf")
    assert shared["name"].endswith("-" + code[:5] + ".pdf")
    pdf = base64.b64decode(shared["pdf"])
    assert pdf.startswith(b"%PDF-")
    (tmp_path / "shared.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "shared.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "-".join(code[i:i + 5] for i in range(0, 20, 5)) in text
    status = browser.find_element(By.ID, "share-status")
    assert status.get_attribute("role") == "status"
    wait_for(browser, lambda d: status.text == "PDF condiviso.", "the status line")


def test_a_refused_share_says_so_and_downloads(browser, invqr, api, tmp_path):
    api(SHARES_FILES)
    _generate_code(browser, invqr)
    wait_for(browser, lambda d: shown(d, "#share-attestation"), "the Share button")
    name = browser.find_element(By.ID, "share-attestation").get_attribute("data-file-name")
    browser.execute_script("window.__refuse = true;")
    browser.execute_cdp_cmd("Page.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(tmp_path)})
    try:
        browser.find_element(By.ID, "share-attestation").click()
        wait_for(browser, lambda d: "scaricato" in d.find_element(By.ID, "share-status").text,
                 "the failure said on the status line")
        # nothing is lost: the PDF is downloaded instead, under its name
        wait_for(browser, lambda d: (tmp_path / name).is_file()
                 and (tmp_path / name).read_bytes().startswith(b"%PDF-"), "the download")
    finally:
        browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "default"})
    assert browser.execute_script("return window.__shared.length") == 1


@pytest.mark.parametrize("source", [NO_SHARE, NO_FILES], ids=["no-api", "no-files"])
def test_without_file_sharing_only_the_download_shows(browser, invqr, api, source):
    api(source)
    _generate_code(browser, invqr)
    assert shown(browser, "#download-attestation")
    assert shown(browser, "#share-attestation") is False
    link = browser.find_element(By.ID, "download-attestation")
    assert link.get_attribute("href").endswith(".pdf")
    # the hidden button is out of the tab order and of the accessibility tree
    link.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") != "share-attestation"
    violations = run_axe(browser)["violations"]
    assert not violations, format_violations(violations)
