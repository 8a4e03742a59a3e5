# SPDX-License-Identifier: Apache-2.0
"""Issue 11, point 2: the state of a conversation holds whatever node each
request lands on. Consecutive requests go to the two invqr nodes directly
(their own ports, each on its own Galera node), alternately or at once:
sessions and CSRF tokens, the sign-in lockout, the consent code (OTP: single
use, attempts), SOAP digest nonces, and the citizen's access log."""
import base64
import concurrent.futures
import datetime
import hashlib
import itertools
import os
import re

import requests

from conftest import generate, sign_in
from harness import CSV_HEADER, citizen_row, csrf_of, fiscal_code

PASSWORD = "cluster operator password"
ORG = "Comune del Cluster"
_seq = itertools.count(1)


def nodes(cluster):
    return cluster.node_url[1], cluster.node_url[2]


def new_citizen(cluster, tmp_path):
    n = next(_seq)
    fc = fiscal_code("CLSTAT%02dA01H50%d" % (n % 100, n // 100 % 10))
    path = tmp_path / ("state%d.csv" % n)
    path.write_text(CSV_HEADER + "\n" + citizen_row(fc, pct="80", judgment="Giudizio del cluster")
                    + "\n", encoding="utf-8")
    cluster.admin("import", str(path), check=0)
    return fc


def new_operator(cluster):
    cluster.admin("org", "add", ORG)        # exists after the first time: exit 1 is fine
    user = "cluster%d.op" % next(_seq)
    cluster.admin("operator", "add", "--org", ORG, user, stdin=PASSWORD + "\n", check=0)
    return user


def fresh_client(cluster):
    """Forget this client's failed sign-ins (all tests here come from one address)."""
    cluster.sql("DELETE FROM client_limit WHERE client_addr LIKE 'login:%'")


def login(url, user, password=PASSWORD):
    s = requests.Session()
    page = s.get(url + "/operator/login")
    r = s.post(url + "/operator/login",
               data={"csrf": csrf_of(page.text), "username": user, "password": password},
               allow_redirects=False)
    assert r.status_code == 303, r.status_code
    return s, r.headers["Location"].endswith("/operator")


def verify(url, s, code, fc):
    form = s.get(url + "/v/" + code)
    if form.status_code == 429:
        # a code cooling down has no form of its own: the token from /verify
        form = s.get(url + "/verify")
    return s.post(url + "/v/" + code, data={"csrf": csrf_of(form.text), "fiscal_code": fc})


def spool(cluster):
    return {p.name for p in (cluster.run / "sms").iterdir() if not p.name.startswith(".")}


def otp_sent(cluster, before):
    files = sorted(spool(cluster) - before)
    assert len(files) == 1, files
    text = (cluster.run / "sms" / files[0]).read_text(encoding="iso-8859-15")
    return re.search(r"\b(\d{6})\b", text.partition("\n\n")[2]).group(1)


def twin(s):
    """Another client with the same cookies (requests.Session is not for threads)."""
    t = requests.Session()
    t.cookies.update(s.cookies)
    return t


def to_sign_in(r):
    """An operator page without a session sends to the operator sign-in."""
    return r.status_code == 303 and r.headers["Location"].endswith("/operator/login")


def test_a_session_and_its_csrf_token_work_on_both_nodes_and_end_on_both(cluster, tmp_path):
    one, two = nodes(cluster)
    fc = new_citizen(cluster, tmp_path)
    citizen = sign_in(one, fc)
    page = citizen.get(two + "/citizen")
    assert page.status_code == 200 and fc in page.text
    # a form read on node 2, posted to node 1: the CSRF token is the cluster's
    r = citizen.post(one + "/citizen/qr", data={"csrf": csrf_of(page.text), "notice": "yes"},
                     allow_redirects=False)
    assert r.status_code == 303
    assert re.search(r'data-field="code">[0-9A-Z-]{23}<', citizen.get(two + "/citizen").text)

    fresh_client(cluster)
    user = new_operator(cluster)
    op, ok = login(two, user)
    assert ok
    home = op.get(one + "/operator")
    assert home.status_code == 200 and 'data-field="operator">%s<' % user in home.text
    token = op.cookies["invqr_session"]
    # signed out through node 1: node 2 knows at once
    r = op.post(one + "/operator/logout", data={"csrf": csrf_of(home.text)}, allow_redirects=False)
    assert r.status_code == 303
    for url in (two, one):
        assert to_sign_in(requests.get(url + "/operator", cookies={"invqr_session": token},
                                       allow_redirects=False))
    # an operator locked by the administrator loses a session opened on either node
    a, _ = login(one, user)
    b, _ = login(two, user)
    cluster.admin("operator", "lock", user, check=0)
    assert to_sign_in(a.get(two + "/operator", allow_redirects=False))
    assert to_sign_in(b.get(one + "/operator", allow_redirects=False))
    cluster.admin("operator", "unlock", user, check=0)


def test_the_sign_in_lockout_counts_tries_on_every_node(cluster):
    one, two = nodes(cluster)
    fresh_client(cluster)
    user = new_operator(cluster)
    # five wrong passwords, one node after the other: the account is locked
    for i in range(5):
        _, ok = login((one, two)[i % 2], user, "wrong password %d" % i)
        assert not ok
    for url in (one, two):
        _, ok = login(url, user)
        assert not ok, url
    assert cluster.sql("SELECT locked_until > NOW() FROM operator WHERE username = '%s'"
                       % user) == [("1",)]

    # a burst of wrong passwords on both nodes at once, then the right one:
    # the lock holds (no node lets a try through uncounted)
    fresh_client(cluster)
    user = new_operator(cluster)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        oks = list(pool.map(lambda i: login((one, two)[i % 2], user, "wrong %d" % i)[1],
                            range(8)))
    assert not any(oks)
    for url in (two, one):
        _, ok = login(url, user)
        assert not ok, url
    fresh_client(cluster)


def operator_at_level2(cluster, tmp_path, url):
    """A citizen with a code, and an operator's session that matched it on url."""
    fc = new_citizen(cluster, tmp_path)
    code = generate(url, sign_in(url, fc))
    fresh_client(cluster)
    op, ok = login(url, new_operator(cluster))
    assert ok
    r = verify(url, op, code, fc)
    assert r.status_code == 200 and "/v/%s/otp" % code in r.text
    return fc, code, op, r


def request_otp(cluster, url, op, code, page):
    before = spool(cluster)
    sent = op.post(url + "/v/%s/otp" % code, data={"csrf": csrf_of(page.text)})
    assert sent.status_code == 200, sent.text[:300]
    challenge = re.search(r'name="challenge" value="([^"]+)"', sent.text).group(1)
    return sent, challenge, otp_sent(cluster, before)


def send_otp(url, op, code, page, challenge, otp):
    return op.post(url + "/v/%s/level2" % code,
                   data={"csrf": csrf_of(page.text), "challenge": challenge, "otp": otp})


def test_the_consent_code_is_single_use_and_its_attempts_count_on_every_node(cluster, tmp_path):
    one, two = nodes(cluster)
    # matched on node 1, the SMS asked for through node 2
    fc, code, op, shown = operator_at_level2(cluster, tmp_path, one)
    page, challenge, otp = request_otp(cluster, two, op, code, shown)
    wrong = ["%06d" % ((int(otp) + k) % 10**6) for k in (1, 2)]
    r1 = send_otp(one, op, code, page, challenge, wrong[0])
    assert r1.status_code == 403 and 'data-field="attempts_left">2<' in r1.text
    r2 = send_otp(two, op, code, page, challenge, wrong[1])
    assert r2.status_code == 403 and 'data-field="attempts_left">1<' in r2.text
    ok = send_otp(one, op, code, page, challenge, otp)
    assert ok.status_code == 200 and 'data-field="invalidity_percent" data-value="80">80%<' in ok.text
    again = send_otp(two, op, code, page, challenge, otp)
    assert again.status_code == 403 and 'data-field="medical_judgment"' not in again.text
    assert op.get(two + "/v/%s/level2" % code).status_code == 410

    # three wrong tries spread over both nodes use the challenge up everywhere
    fc, code, op, shown = operator_at_level2(cluster, tmp_path, two)
    page, challenge, otp = request_otp(cluster, one, op, code, shown)
    for i, k in enumerate((1, 2, 3)):
        r = send_otp((one, two)[i % 2], op, code, page, challenge,
                     "%06d" % ((int(otp) + k) % 10**6))
        assert r.status_code == 403
    for url in (one, two):
        r = send_otp(url, op, code, page, challenge, otp)
        assert r.status_code == 403 and 'data-field="medical_judgment"' not in r.text

    # the right code sent to both nodes at once: shown once, refused the rest
    fc, code, op, shown = operator_at_level2(cluster, tmp_path, one)
    page, challenge, otp = request_otp(cluster, two, op, code, shown)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        burst = list(pool.map(
            lambda i: send_otp((one, two)[i % 2], twin(op), code, page, challenge, otp).status_code,
            range(6)))
    assert sorted(burst) == [200] + [403] * 5, burst
    assert cluster.sql("SELECT COUNT(*) FROM audit_log WHERE code = '%s' AND event = 'level2'"
                       " AND outcome = 'shown'" % code) == [("1",)]


def digest_envelope(user, body):
    nonce = os.urandom(16)
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    d = base64.b64encode(hashlib.sha1(nonce + created.encode() + PASSWORD.encode()).digest())
    ns = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-"
    token = ('<wsse:Security xmlns:wsse="%swssecurity-secext-1.0.xsd" xmlns:wsu="%swssecurity-'
             'utility-1.0.xsd"><wsse:UsernameToken><wsse:Username>%s</wsse:Username>'
             '<wsse:Password Type="%susername-token-profile-1.0#PasswordDigest">%s</wsse:Password>'
             '<wsse:Nonce EncodingType="%ssoap-message-security-1.0#Base64Binary">%s</wsse:Nonce>'
             '<wsu:Created>%s</wsu:Created></wsse:UsernameToken></wsse:Security>'
             % (ns, ns, user, ns, d.decode(), ns, base64.b64encode(nonce).decode(), created))
    return ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"'
            ' xmlns:v="urn:invqr:verify:1"><s:Header>%s</s:Header><s:Body>%s</s:Body></s:Envelope>'
            % (token, body))


def soap(url, envelope, action):
    return requests.post(url + "/soap", data=envelope, timeout=60,
                         headers={"Content-Type": "text/xml; charset=utf-8",
                                  "SOAPAction": '"urn:invqr:verify:1:%s"' % action})


def test_a_digest_nonce_is_good_once_on_every_node(cluster, tmp_path):
    one, two = nodes(cluster)
    fresh_client(cluster)
    user = new_operator(cluster)
    fc = new_citizen(cluster, tmp_path)
    code = generate(one, sign_in(one, fc))
    ask = '<v:RequestOtp><v:code>%s</v:code><v:fiscalCode>%s</v:fiscalCode></v:RequestOtp>' \
        % (code, fc)
    # accepted on node 1, replayed on node 2
    before = spool(cluster)
    env = digest_envelope(user, ask)
    first = soap(one, env, "RequestOtp")
    assert first.status_code == 200, first.text
    challenge = re.search(r"challengeId>([^<]+)<", first.text).group(1)
    otp = otp_sent(cluster, before)
    again = soap(two, env, "RequestOtp")
    assert again.status_code == 500 and "AUTH_FAILED" in again.text
    # the consent code asked for through node 1 is used through node 2, once
    use = '<v:VerifyLevel2><v:challengeId>%s</v:challengeId><v:otp>%s</v:otp></v:VerifyLevel2>' \
        % (challenge, otp)
    shown = soap(two, digest_envelope(user, use), "VerifyLevel2")
    assert shown.status_code == 200 and "Giudizio del cluster" in shown.text, shown.text
    reused = soap(one, digest_envelope(user, use), "VerifyLevel2")
    assert reused.status_code == 500 and "Giudizio del cluster" not in reused.text

    # one envelope sent to both nodes at once: one answer, the rest refused
    fc = new_citizen(cluster, tmp_path)
    code = generate(two, sign_in(two, fc))
    env = digest_envelope(user, '<v:RequestOtp><v:code>%s</v:code><v:fiscalCode>%s'
                          '</v:fiscalCode></v:RequestOtp>' % (code, fc))
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        burst = list(pool.map(lambda i: soap((one, two)[i % 2], env, "RequestOtp"), range(6)))
    statuses = sorted(r.status_code for r in burst)
    assert statuses == [200] + [500] * 5, statuses
    assert all("AUTH_FAILED" in r.text for r in burst if r.status_code == 500)


def test_the_citizens_access_log_shows_checks_made_on_any_node(cluster, tmp_path):
    one, two = nodes(cluster)
    fc, code, op, shown = operator_at_level2(cluster, tmp_path, two)
    citizen = sign_in(one, fc)
    # the first-level match made on node 2 is in the log node 1 shows, at once
    log = citizen.get(one + "/citizen").text
    assert re.search(r'data-level="1"', log) and ORG in log
    page, challenge, otp = request_otp(cluster, one, op, code, shown)
    assert send_otp(one, op, code, page, challenge, otp).status_code == 200
    log = citizen.get(two + "/citizen").text
    assert 'data-level="2"' in log
