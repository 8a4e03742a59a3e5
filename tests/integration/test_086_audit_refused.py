# SPDX-License-Identifier: Apache-2.0
"""The store refuses audit rows (docs/contract.md, What is recorded: every attempt is
written before the result is sent). A trigger on audit_log makes the store
refuse them, as a full disk or a broken replica would: each answer that
would disclose something of the person is then the 503 page with
Retry-After, or over SOAP the UNAVAILABLE fault, with nothing of the person
in it, at the first level and at the second, on the web and over SOAP; no
SMS leaves for an OTP request that could not be recorded. Once the trigger
is gone the very same requests are answered, so the refusals came from the
audit and from nothing else."""
import contextlib
import re
import subprocess

import pytest
import requests
from lxml import etree

from harness import module_instance, visible_text
from test_040_verify import generate, new_citizen, sign_in, verify
from test_050_operator import PASSWORD, first_level, login, new_operator, request_otp, send_otp

SOAP = {"1.1": ("http://schemas.xmlsoap.org/soap/envelope/", "text/xml; charset=utf-8"),
        "1.2": ("http://www.w3.org/2003/05/soap-envelope", "application/soap+xml; charset=utf-8")}
WSSE = ('<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-'
        'wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>%s</wsse:Username>'
        '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-'
        'token-profile-1.0#PasswordText">%s</wsse:Password></wsse:UsernameToken></wsse:Security>')

# the person whose data must not leave: every value is one no page holds by itself
PERSON = dict(surname="Rifiutati", given="Ombretta", mobile="+393339876543", pct="83",
              judgment="Giudizio riservato Zeta", review="2031-03-17", blind="PARTIAL",
              att="Y", hcap="ART3_C3")
SECRETS = ["Rifiutati", "Ombretta", "9876543", "Giudizio riservato", "Zeta", "2031-03-17", "17/03/2031",
           "2020-02-01", "01/02/2020", "1960-05-20", "*** 543", "art3_c3", "ART3_C3"]
# where a page or an answer puts the person's data
WEB_FIELDS = ["name", "civil_invalidity", "minor_invalidity", "attendance_allowance",
              "civil_blindness", "deafness", "handicap", "masked_mobile", "expires_at",
              "invalidity_percent", "blindness_degree", "judgment_date", "review_date",
              "medical_judgment", "attempts_left"]
SOAP_FIELDS = ["name", "civilInvalidity", "minorInvalidity", "attendanceAllowance",
               "civilBlindness", "deafness", "handicap", "challengeId", "expiresAt",
               "maskedMobile", "medicalJudgment", "invalidityPercent", "blindnessDegree",
               "judgmentDate", "reviewDate"]


@pytest.fixture(scope="module")
def refusing():
    # what the worker says when the store refuses a row: the statement that
    # failed with the store's reason, and for a verification that it went
    # unanswered
    yield from module_instance("auditoff", allowed=[
        r"INVQR0007: AUDIT_INSERT failed: invqr test: the audit log refuses rows",
        r"INVQR0011: verification not answered: the audit log refused it"])


@contextlib.contextmanager
def audit_refused(inst, events=None):
    """While inside, the store refuses audit rows: every row, or only rows of
    these events."""
    cond = "TRUE" if events is None else "NEW.event IN (%s)" % ",".join(
        "'%s'" % e for e in events)
    script = ("DELIMITER //\nCREATE TRIGGER invqr_test_refuse BEFORE INSERT ON audit_log"
              " FOR EACH ROW BEGIN IF %s THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT ="
              " 'invqr test: the audit log refuses rows'; END IF; END//\nDELIMITER ;\n" % cond)
    r = subprocess.run(["mariadb", "--no-defaults", "--socket=" + inst.conf_value("db_socket"),
                        "-uroot", "invqr"], input=script, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    try:
        yield
    finally:
        inst.sql("DROP TRIGGER invqr_test_refuse")


def last_id(inst):
    return int(inst.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0])


def open_challenges(inst, *codes):
    return set(inst.sql("SELECT id FROM otp_challenge WHERE used_at IS NULL AND code IN (%s)"
                        % ",".join("'%s'" % c for c in codes)))


def spool(inst):
    d = inst.run / "sms"
    return {p for p in d.iterdir() if not p.name.startswith(".")} if d.exists() else set()


def otp_sent_since(inst, before):
    new = spool(inst) - before
    assert len(new) == 1, new
    text = new.pop().read_text(encoding="iso-8859-15").partition("\n\n")[2]
    return re.search(r"\b(\d{6})\b", text).group(1)


# -- SOAP, by hand, so that the raw answer can be read for what it holds ------

def soap(inst, version, op, body, user=None):
    ns, ctype = SOAP[version]
    header = WSSE % (user, PASSWORD) if user else ""
    env = ('<?xml version="1.0"?><s:Envelope xmlns:s="%s" xmlns:v="urn:invqr:verify:1">'
           '<s:Header>%s</s:Header><s:Body><v:%s>%s</v:%s></s:Body></s:Envelope>'
           % (ns, header, op, body, op))
    headers = {"Content-Type": ctype}
    if version == "1.1":
        headers["SOAPAction"] = '"urn:invqr:verify:1:%s"' % op
    return requests.post(inst.url + "/soap", data=env.encode(), headers=headers, timeout=30)


def soap_l1(inst, version, code, fc):
    return soap(inst, version, "VerifyLevel1",
                "<v:code>%s</v:code><v:fiscalCode>%s</v:fiscalCode>" % (code, fc))


def soap_otp(inst, version, user, code, fc):
    return soap(inst, version, "RequestOtp",
                "<v:code>%s</v:code><v:fiscalCode>%s</v:fiscalCode>" % (code, fc), user)


def soap_l2(inst, version, user, challenge, otp):
    return soap(inst, version, "VerifyLevel2",
                "<v:challengeId>%s</v:challengeId><v:otp>%s</v:otp>" % (challenge, otp), user)


def soap_value(r, name):
    """The text of the answer's element of this local name."""
    assert r.status_code == 200, r.text[:400]
    found = etree.fromstring(r.content).xpath("//*[local-name() = $n]", n=name)
    assert len(found) == 1, r.text[:400]
    return found[0].text


def soap_fault(r):
    """The fault's machine code (in its detail) and its side."""
    doc = etree.fromstring(r.content)
    detail = doc.xpath("//*[local-name() = 'detail' or local-name() = 'Detail']")
    assert len(detail) == 1, r.text[:400]
    codes = re.findall(r"\b[A-Z][A-Z_]{5,}\b", "".join(detail[0].itertext()))
    side = "".join(doc.xpath("//*[local-name() = 'faultcode' or (local-name() = 'Value' and"
                             " parent::*[local-name() = 'Code'])]/text()"))
    return codes, side


# -- what a refused answer must (not) hold ------------------------------------

def assert_web_refused(r, fc):
    assert r.status_code == 503, (r.status_code, r.text[:400])
    assert 'data-status="503"' in r.text
    assert int(r.headers["Retry-After"]) > 0
    text = visible_text(r.text)
    for s in SECRETS + [fc, fc.lower()]:
        assert s not in r.text, s
    assert not re.search(r"\b83\b", text)
    for f in WEB_FIELDS:
        assert 'data-field="%s"' % f not in r.text, f
    assert 'name="otp"' not in r.text and 'name="challenge"' not in r.text


def assert_soap_refused(r, fc, version):
    assert r.status_code == 500, (r.status_code, r.text[:400])
    codes, side = soap_fault(r)
    assert codes == ["UNAVAILABLE"], r.text[:600]
    assert side.endswith("Server" if version == "1.1" else "Receiver"), side
    for s in SECRETS + [fc]:
        assert s not in r.text, s
    assert not re.search(r"\b83\b", r.text)
    for f in SOAP_FIELDS:
        assert not re.search(r"<(\w+:)?%s[ >]" % f, r.text), f


def person(inst, tmp_path):
    fc, _ = new_citizen(inst, tmp_path, **PERSON)
    return fc, generate(inst, sign_in(inst, fc))


@pytest.mark.parametrize("scope,version", [("every row", "1.1"), ("its own row", "1.2")])
def test_no_answer_without_its_audit_row(refusing, tmp_path, scope, version):
    """scope "every row": the store takes no audit row at all (SOAP's
    sign-in is refused first, as it is audited too); "its own row": only
    the row of the event the request is, so each request gets as far as the
    audit write that guards its own answer."""
    inst = refusing

    # what needs audit rows comes first: two people (one for the web, one for
    # SOAP, so that neither's SMS counts against the other), an operator of
    # each channel, a first-level match and a pending OTP on each
    fc_w, code_w = person(inst, tmp_path)
    fc_s, code_s = person(inst, tmp_path)
    op_w, op_s = new_operator(inst), new_operator(inst)
    s, _ = login(inst, op_w)
    page = first_level(inst, s, code_w, fc_w)
    assert page.status_code == 200
    before = spool(inst)
    sent = request_otp(inst, s, code_w, page)
    assert sent.status_code == 200, sent.text[:400]
    otp_w = otp_sent_since(inst, before)
    before = spool(inst)
    ch = soap_otp(inst, version, op_s, code_s, fc_s)
    challenge, otp_s = soap_value(ch, "challengeId"), otp_sent_since(inst, before)
    first = last_id(inst)

    @contextlib.contextmanager
    def refused(event):
        """The store refuses rows (every row, or this event's) while inside;
        afterwards, no row of the event went in."""
        mark = last_id(inst)
        with audit_refused(inst, None if scope == "every row" else [event]):
            yield
        assert inst.sql("SELECT COUNT(*) FROM audit_log WHERE id > %s AND event = '%s'"
                        % (mark, event)) == [("0",)]

    # the first level
    with refused("verify"):
        assert_web_refused(verify(inst, code_w, fc_w), fc_w)
        assert_soap_refused(soap_l1(inst, version, code_s, fc_s), fc_s, version)
    # the second level, with the right OTP: the record is loaded, but not sent
    with refused("level2"):
        assert_web_refused(send_otp(inst, s, code_w, sent, otp_w), fc_w)
        assert_soap_refused(soap_l2(inst, version, op_s, challenge, otp_s), fc_s, version)
    # an OTP request: no SMS leaves, and no challenge is left to be answered
    before, pending = spool(inst), open_challenges(inst, code_w, code_s)
    with refused("otp_request"):
        home = s.get(inst.url + "/operator")
        assert_web_refused(request_otp(inst, s, code_w, home), fc_w)
        assert_soap_refused(soap_otp(inst, version, op_s, code_s, fc_s), fc_s, version)
    assert spool(inst) == before
    assert open_challenges(inst, code_w, code_s) <= pending
    if scope == "every row":
        assert last_id(inst) == first            # not one row went in

    # the store takes rows again: the same requests are answered, and the
    # answers hold what the refusals did not
    mark = last_id(inst)
    r = verify(inst, code_w, fc_w)
    assert r.status_code == 200 and 'data-field="name">Ombretta Rifiutati<' in r.text
    r = soap_l1(inst, version, code_s, fc_s)
    assert soap_value(r, "name") == "Ombretta Rifiutati"
    before = spool(inst)
    sent = request_otp(inst, s, code_w, s.get(inst.url + "/operator"))
    assert sent.status_code == 200 and 'data-field="masked_mobile">+39 ******* 543<' in sent.text
    otp_w = otp_sent_since(inst, before)
    r = send_otp(inst, s, code_w, sent, otp_w)
    assert r.status_code == 200, r.text[:400]
    assert 'data-field="invalidity_percent" data-value="83">83%<' in r.text
    assert 'data-field="medical_judgment"' in r.text and "Giudizio riservato Zeta" in r.text
    assert '<time datetime="2031-03-17" data-field="review_date">17/03/2031</time>' in r.text
    before = spool(inst)
    ch = soap_otp(inst, version, op_s, code_s, fc_s)
    assert soap_value(ch, "maskedMobile") == "+39 ******* 543"
    r = soap_l2(inst, version, op_s, soap_value(ch, "challengeId"), otp_sent_since(inst, before))
    assert soap_value(r, "medicalJudgment") == "Giudizio riservato Zeta"
    assert soap_value(r, "invalidityPercent") == "83"
    assert soap_value(r, "reviewDate") == "2031-03-17"
    # and each answer has its row
    assert inst.sql("SELECT event, outcome FROM audit_log WHERE code = '%s' AND id > %d"
                    " ORDER BY id" % (code_s, mark)) == [
        ("verify", "match"), ("verify", "match"), ("otp_request", "sent"), ("level2", "shown")]
