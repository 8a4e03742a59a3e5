#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Prepare what the HTTP benchmarks need on a running instance, through its
real interfaces, and print shell assignments: a citizen's code (generated
through the demo sign-in), the CSRF cookie and token of a verifier, a
citizen session for the PDF, and an operator session.

usage: prepare.py URL FISCAL_CODE OPERATOR PASSWORD"""
import re
import sys

import requests

url, fc, operator, password = sys.argv[1:5]
csrf = re.compile(r'name="csrf" value="([^"]+)"')

citizen = requests.Session()
page = citizen.get(url + "/citizen")
citizen.post(url + "/citizen/demo-login", data={"csrf": csrf.search(page.text).group(1),
                                                "fiscal_code": fc})
page = citizen.get(url + "/citizen")
m = re.search(r'data-field="code">([0-9A-Z-]{23})<', page.text)
if not m:
    citizen.post(url + "/citizen/qr", data={"csrf": csrf.search(page.text).group(1),
                                            "notice": "yes"})
    page = citizen.get(url + "/citizen")
    m = re.search(r'data-field="code">([0-9A-Z-]{23})<', page.text)
code = m.group(1).replace("-", "")
assert citizen.get(url + "/citizen/qr.pdf").status_code == 200

verifier = requests.Session()
form = verifier.get(url + "/v/" + code)
token = csrf.search(form.text).group(1)

op = requests.Session()
login = op.get(url + "/operator/login")
r = op.post(url + "/operator/login", data={"csrf": csrf.search(login.text).group(1),
                                           "username": operator, "password": password},
            allow_redirects=False)
assert r.status_code == 303 and r.headers["Location"].endswith("/operator"), r.status_code
login = requests.get(url + "/operator/login")

print("BENCH_CODE=%s" % code)
print("BENCH_FC=%s" % fc)
print("BENCH_VERIFY_COOKIE='invqr_csrf=%s'" % verifier.cookies["invqr_csrf"])
print("BENCH_VERIFY_BODY='csrf=%s&fiscal_code=%s'" % (token, fc))
print("BENCH_CITIZEN_COOKIE='invqr_session=%s'" % citizen.cookies["invqr_session"])
print("BENCH_OPERATOR_COOKIE='invqr_session=%s'" % op.cookies["invqr_session"])
