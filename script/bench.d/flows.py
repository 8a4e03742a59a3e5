#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Whole second-level flows, one after another, through HTTP and the SMS
spool: first-level check by a signed-in operator, consent-code request,
reading the SMS, the second-level result. Prints
"BENCH_FLOW <flows> <flows/s> <p50 ms> <p99 ms>".

Each flow takes another attestation from CODES_FILE (consent SMS are
limited per code), among those whose holder has a mobile number.

usage: flows.py URL SPOOL_DIR CODES_FILE OPERATOR PASSWORD COUNT"""
import re
import sys
import time
from pathlib import Path

import requests

url, spool, codes_file, user, password, count = sys.argv[1:7]
pairs = [line.split() for line in open(codes_file) if line.strip()]
spool = Path(spool)
csrf = re.compile(r'name="csrf" value="([^"]+)"')

s = requests.Session()
login = s.get(url + "/operator/login")
s.post(url + "/operator/login", data={"csrf": csrf.search(login.text).group(1),
                                      "username": user, "password": password})
times = []
start = time.time()
done = 0
for code, fc in pairs:
    if done == int(count):
        break
    t0 = time.time()
    form = s.get(url + "/v/" + code)
    res = s.post(url + "/v/" + code, data={"csrf": csrf.search(form.text).group(1),
                                            "fiscal_code": fc})
    sent_at = time.time() - 1
    sent = s.post(url + "/v/%s/otp" % code, data={"csrf": csrf.search(res.text).group(1)})
    if sent.status_code == 409:
        continue                      # no mobile on record: not a flow
    assert sent.status_code == 200, sent.status_code
    sms = max((p for p in spool.iterdir() if not p.name.startswith(".")),
              key=lambda p: p.stat().st_mtime)
    assert sms.stat().st_mtime >= sent_at
    otp = re.search(r"\b(\d{6})\b", sms.read_text(encoding="iso-8859-15")).group(1)
    challenge = re.search(r'name="challenge" value="([^"]+)"', sent.text).group(1)
    shown = s.post(url + "/v/%s/level2" % code, data={"csrf": csrf.search(sent.text).group(1),
                                                       "challenge": challenge, "otp": otp})
    assert shown.status_code == 200 and 'data-field="medical_judgment"' in shown.text
    times.append(time.time() - t0)
    done += 1
total = time.time() - start
times.sort()
print("BENCH_FLOW %d %.1f %.1f %.1f" % (len(times), len(times) / total,
                                         times[len(times) // 2] * 1000,
                                         times[min(len(times) - 1, int(len(times) * 0.99))] * 1000))
