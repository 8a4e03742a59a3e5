# SPDX-License-Identifier: Apache-2.0
"""invqr under a base path other than "/" (docs/contract.md, HTTP
surface: all paths are below the configured base path), as an
administration mounts it beside its own site: every link, form, redirect, cookie, the QR's URL and the WSDL's address
carry the base; nothing answers outside it."""
import re
import subprocess
from pathlib import Path

import pytest
import requests

from harness import csrf_of, module_instance
from test_040_verify import generate, new_citizen, sign_in

BASE = "/servizi/invqr"


@pytest.fixture(scope="module")
def mounted():
    yield from module_instance("base", {"INVQR_BASE": BASE})


def local_refs(html):
    """Every root-relative href, src and form action of a page."""
    return re.findall(r'(?:href|src|action)="(/[^"]*)"', html)


def test_every_link_and_form_stays_under_the_base(mounted):
    for path in ("/", "/verify", "/benefits", "/citizen", "/operator/login", "/operator/help"):
        r = requests.get(mounted.url + path)
        assert r.status_code == 200, path
        refs = local_refs(r.text)
        assert refs, path
        outside = [x for x in refs if not x.startswith(BASE + "/")]
        assert not outside, (path, outside)
    css = requests.get(mounted.url + "/static/invqr.css")
    assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]


def test_the_demo_says_where_it_is(mounted):
    said = Path(mounted.log.name).read_text()
    assert "invqr demo: %s/\n" % mounted.url in said


def test_nothing_of_invqr_answers_outside_the_base(mounted):
    for path in ("/verify", "/citizen", "/soap?wsdl", "/static/invqr.css"):
        r = requests.get(mounted.origin + path)
        assert r.status_code == 404, path
        assert "invqr" not in r.headers.get("Set-Cookie", "")


def test_citizen_and_verifier_flow_under_the_base(mounted, tmp_path):
    fc, _ = new_citizen(mounted, tmp_path, surname="Basso", given="Bice")
    s = sign_in(mounted, fc)
    assert all(c.path == BASE for c in s.cookies), [(c.name, c.path) for c in s.cookies]
    page = s.get(mounted.url + "/citizen")
    r = s.post(mounted.url + "/citizen/qr", data={"csrf": csrf_of(page.text), "notice": "yes"},
               allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith(BASE + "/citizen")
    code = generate(mounted, s, first_time=False)
    # the URL the QR holds is under the base too (upper-case, for the QR's
    # alphanumeric mode), and a phone that opens it reaches the form
    pdf = s.get(mounted.url + "/citizen/qr.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    (tmp_path / "a.pdf").write_bytes(pdf.content)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "a.pdf"),
                    str(tmp_path / "page")], check=True)
    png = sorted(tmp_path.glob("page*.png"))[0]
    url = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert url == (mounted.url + "/V/" + code).upper()
    opened = requests.Session()
    form = opened.get(url)                  # the whole path upper-case, base included
    assert form.status_code == 200 and 'name="fiscal_code"' in form.text
    # the form posts to the base as configured, where the cookies' path holds
    action = re.search(r'<form[^>]* action="([^"]+)"[^>]*>(?:(?!</form>).)*name="fiscal_code"',
                       form.text, re.S).group(1)
    assert action == BASE + "/v/" + code
    r = opened.post(mounted.origin + action, data={"csrf": csrf_of(form.text), "fiscal_code": fc})
    assert r.status_code == 200 and 'data-field="name">Bice Basso<' in r.text


def test_soap_under_the_base(mounted, tmp_path):
    wsdl = requests.get(mounted.url + "/soap?wsdl")
    assert wsdl.status_code == 200
    assert re.search(r'location="http://127\.0\.0\.1:%d%s/soap"' % (mounted.port, BASE), wsdl.text)
    fc, _ = new_citizen(mounted, tmp_path, surname="Soap", given="Basso")
    code = generate(mounted, sign_in(mounted, fc))
    env = ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"'
           ' xmlns:v="urn:invqr:verify:1"><s:Body><v:VerifyLevel1><v:code>%s</v:code>'
           '<v:fiscalCode>%s</v:fiscalCode></v:VerifyLevel1></s:Body></s:Envelope>' % (code, fc))
    r = requests.post(mounted.url + "/soap", data=env.encode(),
                      headers={"Content-Type": "text/xml; charset=utf-8",
                               "SOAPAction": '"urn:invqr:verify:1:VerifyLevel1"'})
    assert r.status_code == 200 and "Basso" in r.text
