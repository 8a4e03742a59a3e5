# SPDX-License-Identifier: Apache-2.0
"""GET /metrics: counters for monitoring in the Prometheus text format,
shared by every httpd child and every worker (README, "Monitoring").

The instance is this module's own: its worker is crashed and its httpd
restarted gracefully on purpose, and every count is compared before and
after exactly what the test did."""
import concurrent.futures
import http.client
import os
import re
import signal
import time

import pytest
import requests

from conftest import csrf_of, demo_login
from harness import CSV_HEADER, citizen_row, fiscal_code, module_instance, start_instance, \
    stop_instance

PASSWORD = "correct horse battery staple"
SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([0-9]+(?:\.[0-9]+)?)$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


@pytest.fixture(scope="module")
def inst():
    yield from module_instance(
        "metrics", allowed=[r"INVQR0301: test fault", r"INVQR0309: worker \d+ killed by signal",
                            r"AH01067", r"AH01075", r"AH01068", r"AH01070", r"AH01079",
                            r"AH01097", r"AH00493", r"AH01630: client denied",
                            r"INVQR0102: InvQRDemoLogin is On"])


def scrape(inst):
    """The samples of GET /metrics as {(name, frozenset(labels)): value},
    after checking the response and the format of every line."""
    r = requests.get(inst.url + "/metrics", headers={"Connection": "close"})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert r.headers["Cache-Control"] == "no-store"
    samples, typed = {}, set()
    for line in r.text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("# HELP "):
            continue
        m = SAMPLE_RE.match(line)
        assert m, "not an exposition line: %r" % line
        name = m.group(1)
        assert name in typed or re.sub(r"_(bucket|sum|count)$", "", name) in typed, line
        labels = frozenset(LABEL_RE.findall(m.group(2) or ""))
        # label values are fixed words or bucket bounds, never data
        for _, v in labels:
            assert re.fullmatch(r"[a-z0-9_]+|[0-9]+\.[0-9]+|\+Inf", v), line
        samples[(name, labels)] = float(m.group(3))
    return samples, r.text


def v(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0)


def new_operator(inst):
    inst.admin("org", "add", "Comune di Metriche")
    user = "metrics.op%d" % time.time_ns()
    inst.admin("operator", "add", "--org", "Comune di Metriche", user, stdin=PASSWORD + "\n",
               check=0)
    return user


def closing_session():
    """A session that opens a new connection for every request, so that
    the requests are spread over httpd's children."""
    s = requests.Session()
    s.headers["Connection"] = "close"
    return s


def new_citizen(inst, tmp_path, n):
    fc = fiscal_code("TSTMTR%02dA01H501" % n)
    path = tmp_path / ("m%d.csv" % n)
    path.write_text(CSV_HEADER + "\n" + citizen_row(fc, surname="Riservato", given="Nominativo")
                    + "\n", encoding="utf-8")
    inst.admin("import", str(path), check=0)
    c = closing_session()
    demo_login(c, inst, fc)
    page = c.get(inst.url + "/citizen")
    c.post(inst.url + "/citizen/qr", data={"csrf": csrf_of(page.text), "notice": "yes"})
    page = c.get(inst.url + "/citizen")
    code = re.search(r'data-field="code">([0-9A-Z-]{23})<', page.text).group(1).replace("-", "")
    link = re.search(r'href="(/citizen/qr/[0-9a-f]{32}-\d{4}-\d\d-\d\d-[0-9A-Z]{5}\.pdf)"',
                     page.text).group(1)
    return fc, code, link, c


def verify(inst, code, fc, s=None):
    s = s or closing_session()
    form = s.get(inst.url + "/v/" + code)
    return s.post(inst.url + "/v/" + code, data={"csrf": csrf_of(form.text), "fiscal_code": fc})


def sign_in(inst, user, password):
    s = closing_session()
    page = s.get(inst.url + "/operator/login")
    r = s.post(inst.url + "/operator/login",
               data={"csrf": csrf_of(page.text), "username": user, "password": password},
               allow_redirects=False)
    return s, r


def httpd_pids_that_served(inst, since, what):
    with open(inst.run / "log" / "access.log", "rb") as f:
        f.seek(since)
        lines = f.read().decode("utf-8", "replace").splitlines()
    return {re.search(r"pid=(\d+)", l).group(1) for l in lines if what in l}


def latest_otp(inst):
    spool = inst.run / "sms"
    newest = max((p for p in spool.iterdir() if not p.name.startswith(".")),
                 key=lambda p: p.stat().st_mtime)
    return re.search(r"\b(\d{6})\b", newest.read_text(encoding="iso-8859-15")
                     .partition("\n\n")[2]).group(1)


@pytest.mark.allow_log(r"INVQR0162")
def test_every_count_grows_by_what_was_done_across_children(inst, tmp_path):
    fc, code, link, citizen = new_citizen(inst, tmp_path, 1)
    other = fiscal_code("RSSMRA80A01H501")
    user = new_operator(inst)
    access = (inst.run / "log" / "access.log").stat().st_size
    before, _ = scrape(inst)

    # first level, over many connections at once: 6 matches, 4 mismatches
    # (below the code's limit of 5 wrong answers), 7 unknown codes
    jobs = [(code, fc)] * 6 + [(code, other)] * 4 + [("0" * 20, fc)] * 7
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        statuses = sorted(r.status_code for r in ex.map(lambda j: verify(inst, *j), jobs))
    assert statuses == [200] * 6 + [404] * 7 + [422] * 4
    # sign-ins: one wrong password, one right
    _, bad = sign_in(inst, user, "not the password")
    op, good = sign_in(inst, user, PASSWORD)
    assert bad.status_code == 303 and not bad.headers["Location"].endswith("/operator")
    assert good.status_code == 303 and good.headers["Location"].endswith("/operator")
    # the second level: a consent code asked for, a wrong one, the right one
    result = verify(inst, code, fc, op)
    assert result.status_code == 200
    sent = op.post(inst.url + "/v/%s/otp" % code, data={"csrf": csrf_of(result.text)})
    assert sent.status_code == 200, sent.text[:300]
    challenge = re.search(r'name="challenge" value="([^"]+)"', sent.text).group(1)
    otp = latest_otp(inst)
    wrong = "%06d" % ((int(otp) + 1) % 10**6)
    for typed, status in ((wrong, 403), (otp, 200)):
        r = op.post(inst.url + "/v/%s/level2" % code,
                    data={"csrf": csrf_of(sent.text), "challenge": challenge, "otp": typed})
        assert r.status_code == status, r.text[:300]
    # the PDF twice: the first time a worker makes it, then the module
    # sends the copy it left
    first = citizen.get(inst.url + link)
    assert first.status_code == 200 and [h.status_code for h in first.history] == [303]
    again = citizen.get(inst.url + link, allow_redirects=False)
    assert again.status_code == 200 and again.content == first.content

    after, text = scrape(inst)
    d = lambda name, **l: v(after, name, **l) - v(before, name, **l)
    assert d("invqr_verifications_total", level="1", outcome="match") == 7   # 6 + the operator's
    assert d("invqr_verifications_total", level="1", outcome="mismatch") == 4
    assert d("invqr_verifications_total", level="1", outcome="unknown") == 7
    assert d("invqr_verifications_total", level="1", outcome="limited") == 0
    assert d("invqr_verifications_total", level="2", outcome="otp_wrong") == 1
    assert d("invqr_verifications_total", level="2", outcome="shown") == 1
    assert d("invqr_otp_requests_total", outcome="sent") == 1
    assert d("invqr_sms_failures_total") == 0
    assert d("invqr_signins_total", channel="web", outcome="failed") == 1
    assert d("invqr_signins_total", channel="web", outcome="ok") == 1
    assert d("invqr_signins_total", channel="web", outcome="throttled") == 0
    assert d("invqr_pdf_copies_served_total") == 1
    assert d("invqr_store_errors_total", kind="statement") == 0
    assert d("invqr_store_errors_total", kind="connect") == 0
    assert d("invqr_worker_restarts_total") == 0
    # every attempt wrote its audit row: at least one write per attempt
    # (concurrent rows may go in one statement)
    audits = d("invqr_audit_write_seconds_count")
    assert 1 + 2 <= audits <= 18 + 2 + 4 + 10, audits
    assert v(after, "invqr_audit_write_seconds_bucket", le="+Inf") == \
        v(after, "invqr_audit_write_seconds_count")
    assert v(after, "invqr_metrics_source_up", source="httpd") == 1
    assert v(after, "invqr_metrics_source_up", source="worker") == 1
    # nothing about anyone
    for secret in (fc, other, code, otp, "Riservato", "Nominativo", user, "+39"):
        assert secret not in text
    # the counts were made by more than one httpd child and summed
    assert len(httpd_pids_that_served(inst, access, "POST /v/")) >= 2, \
        "one child served every verification; the test proves nothing"


def test_only_the_allowed_addresses_may_read_it(inst):
    c = http.client.HTTPConnection("127.0.0.1", inst.port, timeout=30,
                                   source_address=("127.0.0.2", 0))
    c.request("GET", "/metrics")
    r = c.getresponse()
    body = r.read().decode("utf-8", "replace")
    c.close()
    assert r.status == 403
    assert "invqr_" not in body
    # and from 127.0.0.1 it is there
    assert requests.get(inst.url + "/metrics").status_code == 200
    # only GET and HEAD
    assert requests.post(inst.url + "/metrics").status_code == 405


@pytest.mark.allow_log(r"INVQR0301: test fault", r"INVQR0309: worker \d+ killed by signal",
                       r"AH01067", r"AH01075", r"AH01068", r"AH01070", r"AH01079", r"AH01097")
def test_counts_survive_a_worker_restart_and_a_graceful_httpd_restart(inst, tmp_path):
    fc, code, link, citizen = new_citizen(inst, tmp_path, 2)
    assert verify(inst, code, fc).status_code == 200
    base, _ = scrape(inst)
    match = lambda s: v(s, "invqr_verifications_total", level="1", outcome="match")
    restarts = lambda s: v(s, "invqr_worker_restarts_total")
    assert match(base) >= 1

    # the worker dies and its supervisor starts another
    assert requests.get(inst.url + "/_test/crash").status_code == 503
    deadline = time.time() + 15
    while time.time() < deadline and requests.get(inst.url + "/").status_code != 200:
        time.sleep(0.1)
    crashed, _ = scrape(inst)
    assert restarts(crashed) == restarts(base) + 1
    assert match(crashed) == match(base)
    assert verify(inst, code, fc).status_code == 200
    assert match(scrape(inst)[0]) == match(base) + 1

    # a graceful restart of httpd: new children, the module loaded again
    pid = int((inst.run / "httpd" / "httpd.pid").read_text())
    log = inst.run / "log" / "error.log"
    mark = log.stat().st_size
    os.kill(pid, signal.SIGUSR1)
    deadline = time.time() + 30
    while time.time() < deadline:
        with open(log, "rb") as f:
            f.seek(mark)
            if b"resuming normal operations" in f.read():
                break
        time.sleep(0.1)
    else:
        pytest.fail("httpd did not restart")
    restarted, _ = scrape(inst)
    assert match(restarted) == match(base) + 1
    assert restarts(restarted) == restarts(base) + 1
    # the module's own counts too, and the new children count into the same file
    copies = v(restarted, "invqr_pdf_copies_served_total")
    citizen.get(inst.url + link)      # made (or sent) once, so the next is a copy
    assert citizen.get(inst.url + link, allow_redirects=False).status_code == 200
    assert v(scrape(inst)[0], "invqr_pdf_copies_served_total") >= copies + 1
    assert verify(inst, code, fc).status_code == 200
    assert match(scrape(inst)[0]) == match(base) + 2


def test_without_metrics_dir_there_is_no_metrics_page():
    other = start_instance("nometrics", {"INVQR_METRICS": "no"})
    try:
        r = requests.get(other.url + "/metrics")
        assert r.status_code == 404 and "invqr_" not in r.text
    finally:
        stop_instance(other)
