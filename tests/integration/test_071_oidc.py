# SPDX-License-Identifier: Apache-2.0
"""Citizens sign in for real: Debian's mod_auth_openidc in front of /citizen,
a local OpenID provider configured as CIE/SPID OpenID Connect are
(tests/oidc_harness.py), the whole authorization code flow followed the way a
browser follows it. The httpd configuration is conf/invqr-vhost.conf.example's
mod_auth_openidc block (docs/identity.md)."""
import base64
import os
import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from harness import csrf_of
from oidc_harness import (SHORT_IDLE, demo_citizen, prompt_none, provider_login_form,
                          saml_login_page, saml_sign_in, sign_in, start_oidc_site, stop_oidc_site,
                          wait_idle)

CITIZEN = demo_citizen("Y")
FC = CITIZEN["fiscal_code"].strip().upper()
OTHER = demo_citizen("N")["fiscal_code"].strip().upper()
CF_RE = re.compile(r'data-field="fiscal_code">([A-Z0-9]{16})<')


@pytest.fixture(scope="module")
def oidc():
    site = start_oidc_site("oidc")
    # signed in on the virtual host with the short inactivity timeout first:
    # the idle time runs out while the other tests run (the last one checks)
    site.idle = requests.Session()
    r = sign_in(site.idle, site, FC, start=site.short_url + "/citizen")
    site.idle_since = time.monotonic()
    site.idle_first = r
    yield site
    stop_oidc_site(site)


def shown_citizen(r):
    m = CF_RE.search(r.text)
    return m.group(1) if m else None


def test_the_code_flow_signs_the_citizen_in(oidc):
    s = requests.Session()
    first = s.get(oidc.url + "/citizen", allow_redirects=False)
    # mod_auth_openidc sends the browser to the provider: code flow, PKCE S256
    assert first.status_code == 302
    auth = urlsplit(first.headers["Location"])
    q = parse_qs(auth.query)
    assert f"{auth.scheme}://{auth.netloc}" == oidc.provider.url
    assert q["response_type"] == ["code"] and q["code_challenge_method"] == ["S256"]
    assert len(q["code_challenge"][0]) == 43 and q["prompt"] == ["login"]
    r = sign_in(s, oidc, FC.lower(), given=CITIZEN["given_name"], family=CITIZEN["surname"])
    assert r.status_code == 200 and r.url == oidc.url + "/citizen", (r.url, r.text[:300])
    # the claim was "TINIT-<cf in lower case>": invqr shows the citizen's code
    assert shown_citizen(r) == FC
    assert 'data-eligibility="eligible"' in r.text
    # every later request rides on mod_auth_openidc's session
    again = s.get(oidc.url + "/citizen", allow_redirects=False)
    assert again.status_code == 200 and shown_citizen(again) == FC


def test_the_provider_insists_on_pkce_and_private_key_jwt(oidc):
    """The provider is as strict as CIE's: without PKCE no code, and the
    token endpoint takes no shared secret, so the sign-in above went
    through both."""
    q = urlencode({"client_id": "invqr", "response_type": "code", "scope": "openid",
                   "redirect_uri": oidc.callback, "state": "x"})
    r = requests.get(oidc.provider.url + "/auth?" + q, allow_redirects=False)
    loc = r.headers.get("Location", "")
    assert "error=invalid_request" in loc and "PKCE" in loc, (r.status_code, loc)
    r = requests.post(oidc.provider.url + "/token",
                      data={"grant_type": "authorization_code", "code": "x",
                            "redirect_uri": oidc.callback, "client_id": "invqr",
                            "client_secret": "guess"})
    assert r.status_code in (400, 401) and r.json()["error"] == "invalid_client"


def test_generate_and_download_as_the_signed_in_citizen(oidc):
    s = requests.Session()
    r = sign_in(s, oidc, FC)
    assert shown_citizen(r) == FC
    data = {"csrf": csrf_of(r.text)}
    if 'name="notice"' in r.text:
        data["notice"] = "yes"
    g = s.post(oidc.url + "/citizen/qr", data=data, allow_redirects=False)
    assert g.status_code == 303, g.text[:300]
    page = s.get(oidc.url + "/citizen")
    code = re.search(r'data-field="code">([0-9A-Z-]{23})<', page.text).group(1).replace("-", "")
    pdf = s.get(oidc.url + "/citizen/qr.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    # first level, by anyone
    v = requests.Session()
    form = v.get(oidc.url + "/v/" + code)
    res = v.post(oidc.url + "/v/" + code, data={"csrf": csrf_of(form.text), "fiscal_code": FC})
    assert res.status_code == 200 and 'data-field="name"' in res.text


def test_sign_out_ends_invqrs_view_and_the_providers_session(oidc):
    s = requests.Session()
    r = sign_in(s, oidc, FC)
    assert shown_citizen(r) == FC
    assert prompt_none(s, oidc) == "code"          # the provider has a session
    m = re.search(r'<a href="([^"]+)" class="btn btn-secondary" data-action="sign-out">', r.text)
    assert m, "no sign-out link on /citizen"
    href = m.group(1).replace("&amp;", "&")
    assert href.startswith("/invqr/citizen/oidc-callback?logout=")
    # mod_auth_openidc ends its session and sends the browser to the
    # provider's end_session_endpoint, which asks
    ask = s.get(oidc.inst.origin + href)
    assert ask.url.startswith(oidc.provider.url), ask.url
    form = re.search(r'<form id="op.logoutForm" method="post" action="([^"]+)"', ask.text)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', ask.text))
    assert form and "xsrf" in hidden, ask.text[:500]
    action = form.group(1)
    done = s.post(oidc.provider.url + action if action.startswith("/") else action,
                  data={**hidden, "logout": "yes"})
    assert done.status_code == 200 and done.url == oidc.url + "/", done.url
    # invqr's view is gone: /citizen sends to the provider's sign-in page again
    r = s.get(oidc.url + "/citizen")
    provider_login_form(r, oidc)
    assert shown_citizen(r) is None
    # and the provider's session is gone: it would not give a code silently
    assert prompt_none(s, oidc) == "login_required"


FORGED_HEADERS = {
    # the variable's own name, and the forms httpd or a proxy might make of it
    "OIDC_CLAIM_https---attributes.eid.gov.it-fiscal_number": "TINIT-" + OTHER,
    "OIDC_CLAIM_https___attributes.eid.gov.it_fiscal_number": "TINIT-" + OTHER,
    "OIDC-CLAIM-https---attributes.eid.gov.it-fiscal-number": "TINIT-" + OTHER,
    "OIDC_CLAIM_fiscalNumber": OTHER, "X-Remote-User": OTHER, "Remote-User": OTHER,
    "X-Forwarded-User": OTHER, "OIDC_access_token": "x", "X-Fiscal-Number": OTHER,
}


def test_a_client_sent_header_or_cookie_is_never_an_identity(oidc):
    # nobody signed in: headers that look like claims, and forged cookies
    # of mod_auth_openidc, only lead to the provider's sign-in
    for name, value in FORGED_HEADERS.items():
        r = requests.get(oidc.url + "/citizen", headers={name: value}, allow_redirects=False)
        assert r.status_code == 302 and r.headers["Location"].startswith(oidc.provider.url), name
    for cookie in ["mod_auth_openidc_session=" + os.urandom(16).hex(),
                   "mod_auth_openidc_session=" + base64.b64encode(b"TINIT-" + OTHER.encode()).decode(),
                   "INVQR_CITIZEN=" + OTHER, "invqr_session=" + os.urandom(32).hex()]:
        r = requests.get(oidc.url + "/citizen", headers={"Cookie": cookie}, allow_redirects=False)
        assert r.status_code == 302 and r.headers["Location"].startswith(oidc.provider.url), cookie
    # signed in as one person, the same headers do not change who it is
    s = requests.Session()
    assert shown_citizen(sign_in(s, oidc, FC)) == FC
    for name, value in FORGED_HEADERS.items():
        r = s.get(oidc.url + "/citizen", headers={name: value})
        assert r.status_code == 200 and shown_citizen(r) == FC, name
    # (mod_auth_openidc even drops the OIDC_ ones, and says so)
    log = (oidc.inst.run / "log" / "error.log").read_text()
    assert "scrubbed suspicious request header (OIDC_CLAIM_https---attributes" in log
    # a session cookie with one character changed is no session
    jar = s.cookies.get_dict()
    sid = jar["mod_auth_openidc_session"]
    bent = sid[:-1] + ("A" if sid[-1] != "A" else "B")
    r = requests.get(oidc.url + "/citizen", allow_redirects=False,
                     headers={"Cookie": "mod_auth_openidc_session=" + bent})
    assert r.status_code == 302 and r.headers["Location"].startswith(oidc.provider.url)


def test_an_idle_session_expires_and_the_citizen_signs_in_again(oidc):
    s, r = oidc.idle, oidc.idle_first
    assert r.url == oidc.short_url + "/citizen" and shown_citizen(r) == FC
    wait_idle(SHORT_IDLE + 2 - (time.monotonic() - oidc.idle_since))
    r = s.get(oidc.short_url + "/citizen", allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"].startswith(oidc.provider.url + "/auth?")
    # ... where the provider asks who signs in
    r = s.get(oidc.short_url + "/citizen")
    provider_login_form(r, oidc)


# -- SAML (SPID's other profile): mod_auth_mellon and a SimpleSAMLphp IdP ----------

def test_saml_sign_in_reaches_invqr_as_mellon_fiscalnumber(oidc):
    s = requests.Session()
    r = saml_sign_in(s, oidc, FC)
    assert r.status_code == 200 and r.url == oidc.saml_url + "/citizen", (r.url, r.text[:300])
    assert shown_citizen(r) == FC


def test_saml_sign_out_ends_mellons_session_and_the_idps(oidc):
    s = requests.Session()
    assert shown_citizen(saml_sign_in(s, oidc, FC)) == FC
    # while the IdP has its session, losing mellon's alone signs in again
    # without a page (what the check below must tell apart)
    lost = requests.Session()
    for c in s.cookies:
        if c.name != "mellon-cookie":
            lost.cookies.set(c.name, c.value, domain=c.domain, path=c.path)
    r = lost.get(oidc.saml_url + "/citizen")
    assert "SAMLResponse" in r.text, r.url                  # straight back, no sign-in page
    page = s.get(oidc.saml_url + "/citizen")
    m = re.search(r'<a href="([^"]+)" class="btn btn-secondary" data-action="sign-out">', page.text)
    assert m, "no sign-out link"
    href = m.group(1).replace("&amp;", "&")
    assert href.startswith("/invqr/citizen/mellon/logout?ReturnTo=")
    done = s.get(oidc.saml_url.rsplit("/invqr", 1)[0] + href)
    assert done.status_code == 200 and done.url == oidc.saml_url + "/", done.url
    # mellon's session is gone, and the IdP's: it asks who signs in again
    r = s.get(oidc.saml_url + "/citizen")
    saml_login_page(r, oidc)
    assert shown_citizen(r) is None


def test_saml_client_sent_header_or_cookie_is_never_an_identity(oidc):
    forged = {"MELLON_fiscalNumber": "TINIT-" + OTHER, "MELLON-fiscalNumber": "TINIT-" + OTHER,
              "X-Remote-User": OTHER, "Remote-User": OTHER}
    for name, value in forged.items():
        r = requests.get(oidc.saml_url + "/citizen", headers={name: value},
                         allow_redirects=False)
        assert r.status_code in (302, 303) and \
            r.headers["Location"].startswith(oidc.saml_url + "/citizen/mellon/login"), name
    r = requests.get(oidc.saml_url + "/citizen", allow_redirects=False,
                     headers={"Cookie": "mellon-cookie=" + os.urandom(16).hex()})
    assert r.status_code in (302, 303) and "/citizen/mellon/login" in r.headers["Location"]
    s = requests.Session()
    assert shown_citizen(saml_sign_in(s, oidc, FC)) == FC
    for name, value in forged.items():
        r = s.get(oidc.saml_url + "/citizen", headers={name: value})
        assert r.status_code == 200 and shown_citizen(r) == FC, name
