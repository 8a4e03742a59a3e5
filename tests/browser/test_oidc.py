# SPDX-License-Identifier: Apache-2.0
"""A citizen signs in for real in Chromium: Debian's mod_auth_openidc in
front of /citizen, a local OpenID provider set up as CIE/SPID OpenID Connect
are (tests/oidc_harness.py; the httpd lines are conf/invqr-vhost.conf.example's).
The person types who they are at the provider, lands on /citizen as that
person, makes the attestation, downloads the PDF, and its QR verifies; "Esci"
ends invqr's view and the provider's session; an idle session goes back to
the provider's sign-in; headers and cookies a client makes up are nobody."""
import subprocess

import pytest
import requests
from selenium.webdriver.common.by import By

from conftest import format_violations, next_page, run_axe, wait_for
from oidc_harness import (SAML_PASSWORD, SHORT_IDLE, demo_citizen, prompt_none, start_oidc_site,
                          stop_oidc_site,
                          wait_idle)

CITIZEN = demo_citizen("Y")
FC = CITIZEN["fiscal_code"].strip().upper()
OTHER = demo_citizen("N")["fiscal_code"].strip().upper()


@pytest.fixture(scope="module")
def oidc():
    site = start_oidc_site("oidc-browser")
    yield site
    stop_oidc_site(site)


def no_axe_violations(driver, what):
    violations = run_axe(driver)["violations"]
    assert not violations, f"axe-core on {what}:\n" + format_violations(violations)


def on_provider_sign_in(driver, oidc):
    assert driver.current_url.startswith(oidc.provider.url + "/interaction/"), driver.current_url
    return driver.find_element(By.ID, "fiscal_code")


def sign_in_at_provider(driver, oidc, fiscal_code, given, family):
    """On the provider's page: type who signs in, like a person would."""
    on_provider_sign_in(driver, oidc).send_keys(fiscal_code)
    driver.find_element(By.ID, "given_name").send_keys(given)
    driver.find_element(By.ID, "family_name").send_keys(family)
    with next_page(driver):
        driver.find_element(By.ID, "sign_in").click()


def shown_citizen(driver):
    found = driver.find_elements(By.CSS_SELECTOR, '[data-field="fiscal_code"]')
    return found[0].text.strip() if found else None


def provider_session(driver, oidc):
    """Does the provider still know this browser? Its cookies, asked with
    prompt=none (no page can answer for the person)."""
    s = requests.Session()
    for c in driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]:
        if c["domain"] == "localhost":
            s.cookies.set(c["name"], c["value"], domain="localhost.local", path=c["path"])
    return prompt_none(s, oidc)


def test_sign_in_generate_download_verify_and_sign_out(browser, oidc, tmp_path):
    browser.get(oidc.url + "/citizen")
    on_provider_sign_in(browser, oidc)
    no_axe_violations(browser, "the provider's sign-in page")
    sign_in_at_provider(browser, oidc, FC, CITIZEN["given_name"], CITIZEN["surname"])
    assert browser.current_url == oidc.url + "/citizen"
    assert shown_citizen(browser) == FC

    # the attestation: acknowledge the notice if asked, generate
    box = browser.find_elements(By.ID, "notice_ack")
    if box:
        box[0].click()
    form = browser.find_element(By.CSS_SELECTOR, 'form[action$="/citizen/qr"]')
    with next_page(browser):
        form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    code = browser.find_element(By.CSS_SELECTOR, '[data-field="code"]').text.replace("-", "")
    assert len(code) == 20
    no_axe_violations(browser, "/citizen signed in through OpenID Connect")

    # download the PDF as the browser does (Content-Disposition: attachment)
    browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(tmp_path)})
    link = browser.find_element(By.CSS_SELECTOR, 'main a[href*="/citizen/qr"][href$=".pdf"]')
    link.click()
    pdf = wait_for(browser, lambda d: next(iter(p for p in tmp_path.glob("*.pdf")
                                                 if p.stat().st_size > 0), None),
                   "the downloaded PDF")
    assert pdf.read_bytes().startswith(b"%PDF-")
    # its QR, read from the printed page, is what a phone opens
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    png = sorted(tmp_path.glob("page*.png"))[0]
    url = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert url.upper().endswith("/V/" + code), url
    browser.get(url)
    browser.find_element(By.ID, "fiscal_code").send_keys(FC)
    with next_page(browser):
        browser.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()
    name = browser.find_element(By.CSS_SELECTOR, '[data-field="name"]').text
    assert CITIZEN["surname"] in name

    # "Esci": invqr's view and the provider's session end
    browser.get(oidc.url + "/citizen")
    assert shown_citizen(browser) == FC
    assert provider_session(browser, oidc) == "code"
    with next_page(browser):
        browser.find_element(By.CSS_SELECTOR, 'a[data-action="sign-out"]').click()
    assert browser.current_url.startswith(oidc.provider.url + "/session/end")
    no_axe_violations(browser, "the provider's sign-out page")
    with next_page(browser):
        browser.find_element(By.CSS_SELECTOR, 'button[name="logout"][value="yes"]').click()
    assert browser.current_url == oidc.url + "/"
    assert provider_session(browser, oidc) == "login_required"
    # Back, to where the citizen's page was: it asks who signs in
    for _ in range(3):
        browser.back()
        wait_for(browser, lambda d: d.execute_script("return document.readyState") == "complete",
                 "the page Back leads to")
        assert shown_citizen(browser) is None, browser.current_url
        if browser.current_url.startswith(oidc.provider.url + "/interaction/"):
            break
    browser.get(oidc.url + "/citizen")
    on_provider_sign_in(browser, oidc)
    assert shown_citizen(browser) is None


def test_an_idle_session_goes_back_to_sign_in(browser, oidc):
    browser.get(oidc.short_url + "/citizen")
    sign_in_at_provider(browser, oidc, FC, CITIZEN["given_name"], CITIZEN["surname"])
    assert browser.current_url == oidc.short_url + "/citizen" and shown_citizen(browser) == FC
    wait_idle(SHORT_IDLE + 2)
    browser.get(oidc.short_url + "/citizen")
    on_provider_sign_in(browser, oidc)
    assert shown_citizen(browser) is None


def test_made_up_headers_and_cookies_are_nobody(browser, oidc):
    headers = {"OIDC_CLAIM_https---attributes.eid.gov.it-fiscal_number": "TINIT-" + OTHER,
               "X-Remote-User": OTHER, "Remote-User": OTHER, "OIDC_CLAIM_fiscalNumber": OTHER}
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})
    try:
        browser.get(oidc.url + "/citizen")
        on_provider_sign_in(browser, oidc)
        browser.execute_cdp_cmd("Network.setCookie", {
            "name": "mod_auth_openidc_session", "value": "forged-" + OTHER, "domain": "127.0.0.1",
            "path": "/"})
        browser.get(oidc.url + "/citizen")
        on_provider_sign_in(browser, oidc)
        # signed in as one person, the made-up headers change nothing
        browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
        browser.get(oidc.url + "/citizen")
        sign_in_at_provider(browser, oidc, FC, CITIZEN["given_name"], CITIZEN["surname"])
        assert shown_citizen(browser) == FC
    finally:
        browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})


# -- SAML (SPID's other profile): mod_auth_mellon and the SimpleSAMLphp IdP --------

def on_idp_sign_in(driver, oidc):
    assert driver.current_url.startswith(oidc.idp.url + "/module.php/core/loginuserpass.php"), \
        driver.current_url
    return driver.find_element(By.ID, "username")


def test_saml_sign_in_and_sign_out(browser, oidc):
    browser.get(oidc.saml_url + "/citizen")
    on_idp_sign_in(browser, oidc).send_keys(FC.lower())
    password = browser.find_element(By.ID, "password")
    password.send_keys(SAML_PASSWORD)
    # the IdP answers with the HTTP-POST binding: its page's script posts the
    # assertion to mod_auth_mellon (a cross-site POST), which then redirects
    with next_page(browser):
        password.submit()
    wait_for(browser, lambda d: d.current_url == oidc.saml_url + "/citizen"
             and shown_citizen(d) is not None, "/citizen after the SAML sign-in")
    assert shown_citizen(browser) == FC
    no_axe_violations(browser, "/citizen signed in through SAML")
    with next_page(browser):
        browser.find_element(By.CSS_SELECTOR, 'a[data-action="sign-out"]').click()
    wait_for(browser, lambda d: d.current_url == oidc.saml_url + "/", "invqr's home page")
    browser.get(oidc.saml_url + "/citizen")
    on_idp_sign_in(browser, oidc)       # mellon's and the IdP's sessions are gone
    assert shown_citizen(browser) is None
