# SPDX-License-Identifier: Apache-2.0
"""mod_invqr's Permissions-Policy: the camera is allowed, for this site
only, on the two pages with the camera scanner (/verify and the operator's
home); every other response keeps it, the microphone and geolocation off.
(tests/browser/test_scanner.py shows Chromium enforcing it.)"""
import pytest
import requests

from harness import csrf_of
from test_050_operator import login, new_operator

CAMERA_SELF = "camera=(self), microphone=(), geolocation=()"
NO_CAMERA = "camera=(), microphone=(), geolocation=()"


def test_the_scanner_pages_allow_the_camera_for_the_site(invqr):
    r = requests.get(invqr.url + "/verify")
    assert r.status_code == 200 and 'id="scanner"' in r.text
    assert r.headers["Permissions-Policy"] == CAMERA_SELF
    # a typed code that is wrong: the form (and its scanner) again
    r = requests.post(invqr.url + "/verify", data={"csrf": csrf_of(r.text), "code": "x",
                                                   "fiscal_code": "y"}, cookies=r.cookies)
    assert r.status_code == 400 and 'id="scanner"' in r.text, r.status_code
    assert r.headers["Permissions-Policy"] == CAMERA_SELF
    s, r = login(invqr, new_operator(invqr))
    r = s.get(invqr.url + "/operator")
    assert r.status_code == 200 and 'id="scanner"' in r.text
    assert r.headers["Permissions-Policy"] == CAMERA_SELF
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp


@pytest.mark.parametrize("path", ["/", "/citizen", "/benefits", "/operator/login",
                                  "/operator/help", "/v/0123456789ABCDEFGHJK",
                                  "/static/invqr-scan.js", "/no/such/page"])
def test_every_other_response_keeps_the_camera_off(invqr, path):
    r = requests.get(invqr.url + path, allow_redirects=False)
    assert r.headers["Permissions-Policy"] == NO_CAMERA, (path, r.status_code)


def test_the_vendored_reader_and_its_licence_are_served(invqr):
    js = requests.get(invqr.url + "/static/jsQR.js")
    assert js.status_code == 200 and js.headers["Content-Type"].startswith("text/javascript")
    assert "jsQR" in js.text
    lic = requests.get(invqr.url + "/static/jsQR-LICENSE.txt")
    assert lic.status_code == 200 and "Apache License" in lic.text
