#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Prepare what the HTTP benchmarks need on a running instance, through its
real interfaces, and print shell assignments: a citizen's code (generated
through the demo sign-in), the CSRF cookie and token of a verifier, a
citizen session for the PDF, and an operator session.

Also writes CODES_FILE: one "CODE FISCAL_CODE" line per active attestation of
the definitive citizens in the store, so verifications can be spread over
many codes as on a real day.

usage: prepare.py URL FISCAL_CODE OPERATOR PASSWORD CODES_FILE SOCKET"""
import re
import sys

import requests

url, fc, operator, password, codes_file, socket = sys.argv[1:7]
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
# the link the citizen page gives: the PDF's own address, which the module
# serves from the copy the worker has just left
pdf_link = re.search(r'href="(/citizen/qr/[^"/]+\.pdf)"', page.text).group(1)
r = citizen.get(url + pdf_link, allow_redirects=False)
assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf", r.status_code

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

# Attestations for up to 2,000 definitive citizens. Issuing them is not what
# is measured, so they are written straight into the store as root (random
# Crockford codes, one active per citizen), like 2,000 citizens would have.
import secrets
import subprocess
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
sql = ["mariadb", "--no-defaults", "--socket=" + socket, "-uroot", "-N", "-B", "invqr", "-e"]
rows = subprocess.run(sql + ["SELECT c.fiscal_code FROM citizen c LEFT JOIN qr_code q ON "
                             "q.fiscal_code = c.fiscal_code AND q.active = 1 WHERE c.definitive "
                             "AND q.code IS NULL LIMIT 2000"],
                      capture_output=True, text=True, check=True).stdout.split()
values = ",".join("('%s','%s')" % ("".join(secrets.choice(ALPHABET) for _ in range(20)), f)
                  for f in rows)
if values:
    subprocess.run(sql + ["INSERT INTO qr_code (code, fiscal_code) VALUES " + values], check=True)
pairs = subprocess.run(sql + ["SELECT q.code, q.fiscal_code FROM qr_code q JOIN citizen c ON "
                              "c.fiscal_code = q.fiscal_code WHERE q.active = 1 AND c.definitive"],
                       capture_output=True, text=True, check=True).stdout
with open(codes_file, "w") as f:
    f.write(pairs.replace("\t", " "))

print("BENCH_CODE=%s" % code)
print("BENCH_TOKEN=%s" % token)
print("BENCH_FC=%s" % fc)
print("BENCH_VERIFY_COOKIE='invqr_csrf=%s'" % verifier.cookies["invqr_csrf"])
print("BENCH_VERIFY_BODY='csrf=%s&fiscal_code=%s'" % (token, fc))
print("BENCH_PDF_LINK=%s" % pdf_link)
print("BENCH_CITIZEN_COOKIE='invqr_session=%s'" % citizen.cookies["invqr_session"])
print("BENCH_OPERATOR_COOKIE='invqr_session=%s'" % op.cookies["invqr_session"])
