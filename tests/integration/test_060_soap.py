# SPDX-License-Identifier: Apache-2.0
"""Legacy integrators: the SOAP API described by the WSDL, called by real
clients nobody here wrote (python3-zeep and PHP's SoapClient), over SOAP 1.1
and 1.2, and hostile bodies (docs/contract.md, SOAP API;
docs/soap.md)."""
import base64
import datetime
import hashlib
import json
import os
import re
import subprocess

import pytest
import requests
from zeep import Client, Settings
from zeep.exceptions import Fault
from zeep.wsse.username import UsernameToken

from harness import CSV_HEADER, citizen_row, fiscal_code
from test_040_verify import generate, new_citizen, sign_in

PASSWORD = "soap password for tests"
SERVICE = "{urn:invqr:verify:1}InvQRVerifyService"
PORTS = {"1.1": "InvQRVerifySoap11Port", "1.2": "InvQRVerifySoap12Port"}
_n = [0]


@pytest.fixture(scope="module")
def operator(invqr):
    invqr.admin("org", "add", "Azienda Trasporti SOAP")
    user = "soap.client"
    invqr.admin("operator", "add", "--org", "Azienda Trasporti SOAP", user,
                stdin=PASSWORD + "\n", check=0)
    return user


def client(invqr, version, user=None, password=PASSWORD, digest=False):
    wsse = UsernameToken(user, password, use_digest=digest) if user else None
    c = Client(invqr.url + "/soap?wsdl", wsse=wsse, settings=Settings(strict=True))
    return c.bind("InvQRVerifyService", PORTS[version])


def fault_code(exc):
    detail = exc.detail
    text = "".join(detail.itertext()) if detail is not None else ""
    return re.search(r"[A-Z_]{6,}", text).group(0)


def spool_names(invqr):
    return {p.name for p in (invqr.run / "sms").iterdir() if not p.name.startswith(".")}


def new_otp(invqr, before):
    """The code in the one SMS the spool gained since spool_names() gave
    before (not the newest by mtime, which one clock tick of the file
    system can leave ambiguous)."""
    files = sorted(spool_names(invqr) - before)
    assert len(files) == 1, f"expected one new SMS in the spool, found {files}"
    text = (invqr.run / "sms" / files[0]).read_text(encoding="iso-8859-15")
    return re.search(r"\b(\d{6})\b", text).group(1)


def test_wsdl_is_served_and_well_formed(invqr):
    r = requests.get(invqr.url + "/soap?wsdl")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/xml")
    assert 'location="%s/soap"' % invqr.url in r.text
    path = invqr.run / "service.wsdl"
    path.write_text(r.text)
    subprocess.run(["xmllint", "--noout", "--nonet", str(path)], check=True)
    # the embedded schema compiles on its own
    from lxml import etree
    doc = etree.fromstring(r.content)
    schema = doc.find(".//{http://www.w3.org/2001/XMLSchema}schema")
    # serialised on its own it keeps every namespace it uses; it must compile
    etree.XMLSchema(etree.fromstring(etree.tostring(schema)))
    # every operation is bound in both versions, with input, output and fault
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/"}
    for binding in doc.findall("w:binding", ns):
        ops = binding.findall("w:operation", ns)
        assert sorted(o.get("name") for o in ops) == ["RequestOtp", "VerifyLevel1", "VerifyLevel2"]
        for o in ops:
            assert o.find("w:input", ns) is not None and o.find("w:output", ns) is not None
            assert o.find("w:fault", ns) is not None


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_verify_level1_with_zeep(invqr, tmp_path, version):
    fc, _ = new_citizen(invqr, tmp_path, surname="Sóap", given="Ånna", att="Y", hcap="ART3_C3")
    code = generate(invqr, sign_in(invqr, fc))
    svc = client(invqr, version)
    res = svc.VerifyLevel1(code="-".join(code[i:i + 5] for i in range(0, 20, 5)).lower(),
                           fiscalCode=fc)
    assert res.name == "Ånna Sóap"
    assert res.civilInvalidity is True and res.attendanceAllowance is True
    assert res.minorInvalidity is False and res.deafness is False
    assert res.handicap == "ART3_C3"
    assert not hasattr(res, "medicalJudgment") or res.medicalJudgment is None
    with pytest.raises(Fault) as e:
        svc.VerifyLevel1(code=code, fiscalCode=fiscal_code("RSSMRA80A01H501"))
    assert fault_code(e.value) == "FISCAL_CODE_MISMATCH"
    with pytest.raises(Fault) as e:
        svc.VerifyLevel1(code="0" * 20, fiscalCode=fc)
    assert fault_code(e.value) == "UNKNOWN_CODE"
    # a code that is not one is a bad request, and an audited attempt
    mark = invqr.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]
    with pytest.raises(Fault) as e:
        svc.VerifyLevel1(code="not-a-code", fiscalCode=fc)
    assert fault_code(e.value) == "BAD_REQUEST"
    assert invqr.sql("SELECT event, outcome, detail, code IS NULL FROM audit_log WHERE id > %s"
                     % mark) == [("verify", "bad_input", "code", "1")]


@pytest.mark.parametrize("version,digest", [("1.1", False), ("1.2", True), ("1.1", True)])
def test_second_level_over_soap(invqr, tmp_path, operator, version, digest):
    fc, _ = new_citizen(invqr, tmp_path, pct="76", judgment="Giudizio <SOAP> & test")
    code = generate(invqr, sign_in(invqr, fc))
    svc = client(invqr, version, operator, digest=digest)
    before = spool_names(invqr)
    ch = svc.RequestOtp(code=code, fiscalCode=fc)
    assert ch.maskedMobile.startswith("+39 ")
    assert ch.expiresAt > datetime.datetime.now(datetime.timezone.utc)
    otp = new_otp(invqr, before)
    with pytest.raises(Fault) as e:      # not 6 digits: no attempt taken
        client(invqr, version, operator, digest=digest).VerifyLevel2(
            challengeId=ch.challengeId, otp=otp[:5])
    assert fault_code(e.value) == "BAD_REQUEST"
    with pytest.raises(Fault) as e:
        client(invqr, version, operator, digest=digest).VerifyLevel2(
            challengeId=ch.challengeId, otp="%06d" % ((int(otp) + 1) % 10**6))
    assert fault_code(e.value) == "OTP_INVALID"
    res = client(invqr, version, operator, digest=digest).VerifyLevel2(
        challengeId=ch.challengeId, otp=otp)
    assert res.medicalJudgment == "Giudizio <SOAP> & test"
    assert res.invalidityPercent == 76 and res.blindnessDegree == "NONE"
    assert str(res.judgmentDate) == "2020-02-01"
    rows = invqr.sql("SELECT event, outcome FROM audit_log WHERE code = '%s' AND level = 2" % code)
    assert ("level2", "shown") in rows


@pytest.mark.parametrize("version,side", [("1.1", "Client"), ("1.2", "Sender")])
def test_limit_and_expiry_faults(invqr, tmp_path, operator, version, side):
    """RATE_LIMITED after the wrong guesses a code allows, OTP_EXPIRED for a
    challenge past its 5 minutes: over HTTP, on the client's side."""
    fc, _ = new_citizen(invqr, tmp_path)
    code = generate(invqr, sign_in(invqr, fc))
    me = "DELETE FROM verify_client WHERE client_addr = '127.0.0.1'"
    invqr.sql(me)                        # this test's guesses, not earlier tests', count
    try:
        svc = client(invqr, version)
        for _ in range(5):
            with pytest.raises(Fault) as e:
                svc.VerifyLevel1(code=code, fiscalCode=fiscal_code("RSSMRA80A01H501"))
            assert fault_code(e.value) == "FISCAL_CODE_MISMATCH"
        with pytest.raises(Fault) as e:      # even the right fiscal code, for now
            svc.VerifyLevel1(code=code, fiscalCode=fc)
        assert fault_code(e.value) == "RATE_LIMITED"
        assert e.value.code.endswith(side), e.value.code
    finally:
        invqr.sql(me)
        invqr.sql("UPDATE qr_code SET fail_count = 0, fail_window_start = NULL"
                  " WHERE code = '%s'" % code)
    before = spool_names(invqr)
    ch = client(invqr, version, operator).RequestOtp(code=code, fiscalCode=fc)
    invqr.sql("UPDATE otp_challenge SET expires_at = NOW() - INTERVAL 1 SECOND"
              " WHERE public_id = '%s'" % ch.challengeId)
    with pytest.raises(Fault) as e:
        client(invqr, version, operator).VerifyLevel2(challengeId=ch.challengeId,
                                                      otp=new_otp(invqr, before))
    assert fault_code(e.value) == "OTP_EXPIRED" and e.value.code.endswith(side)


def test_auth_faults(invqr, tmp_path, operator):
    fc, _ = new_citizen(invqr, tmp_path)
    code = generate(invqr, sign_in(invqr, fc))
    with pytest.raises(Fault) as e:
        client(invqr, "1.1").RequestOtp(code=code, fiscalCode=fc)
    assert fault_code(e.value) == "AUTH_FAILED"
    with pytest.raises(Fault) as e:
        client(invqr, "1.2", operator, password="wrong password!!").RequestOtp(code=code,
                                                                             fiscalCode=fc)
    assert fault_code(e.value) == "AUTH_FAILED"
    invqr.sql("UPDATE operator SET failed_logins = 0 WHERE username = '%s'" % operator)


def test_no_mobile_fault(invqr, tmp_path, operator):
    fc, _ = new_citizen(invqr, tmp_path, mobile="")
    code = generate(invqr, sign_in(invqr, fc))
    with pytest.raises(Fault) as e:
        client(invqr, "1.1", operator).RequestOtp(code=code, fiscalCode=fc)
    assert fault_code(e.value) == "NO_MOBILE"


def _envelope(body, header=""):
    return ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:v="urn:invqr:verify:1"><s:Header>%s</s:Header><s:Body>%s</s:Body></s:Envelope>'
            % (header, body))


def post(invqr, data, ctype="text/xml; charset=utf-8", action='"urn:invqr:verify:1:VerifyLevel1"'):
    return requests.post(invqr.url + "/soap", data=data,
                         headers={"Content-Type": ctype, "SOAPAction": action}, timeout=30)


def digest_token(user, password, nonce, created):
    d = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest())
    return ('<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-'
            'wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-'
            '200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken><wsse:Username>%s'
            '</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-'
            '200401-wss-username-token-profile-1.0#PasswordDigest">%s</wsse:Password>'
            '<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-'
            'soap-message-security-1.0#Base64Binary">%s</wsse:Nonce><wsu:Created>%s</wsu:Created>'
            '</wsse:UsernameToken></wsse:Security>'
            % (user, d.decode(), base64.b64encode(nonce).decode(), created))


def test_replayed_digest_nonce_is_refused(invqr, tmp_path, operator):
    fc, _ = new_citizen(invqr, tmp_path)
    code = generate(invqr, sign_in(invqr, fc))
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    token = digest_token(operator, PASSWORD, os.urandom(16), created)
    body = _envelope('<v:RequestOtp><v:code>%s</v:code><v:fiscalCode>%s</v:fiscalCode>'
                     '</v:RequestOtp>' % (code, fc), token)
    first = post(invqr, body, action='"urn:invqr:verify:1:RequestOtp"')
    assert first.status_code == 200, first.text
    again = post(invqr, body, action='"urn:invqr:verify:1:RequestOtp"')
    assert again.status_code == 500 and "AUTH_FAILED" in again.text


def detail_code(r):
    """The machine code in a raw fault's detail (FaultDetail/code)."""
    from lxml import etree
    codes = etree.fromstring(r.content).xpath(
        "//*[local-name() = 'FaultDetail']/*[local-name() = 'code']/text()")
    assert len(codes) == 1, r.text[:400]
    return codes[0]


DOCTYPE_REFUSED = "(a DOCTYPE is not allowed in a SOAP message)"


@pytest.mark.parametrize("name,body,code,reason", [
    ("xxe", '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + _envelope("<v:VerifyLevel1><v:code>&x;</v:code><v:fiscalCode>x</v:fiscalCode>"
                        "</v:VerifyLevel1>").split("?>", 1)[1], "BAD_REQUEST", DOCTYPE_REFUSED),
    ("bomb", '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
             + "".join('<!ENTITY %s "%s">' % (chr(98 + i), ("&%s;" % chr(97 + i)) * 10)
                       for i in range(9))
             + ']>' + _envelope("<v:VerifyLevel1><v:code>&j;</v:code><v:fiscalCode>x"
                                "</v:fiscalCode></v:VerifyLevel1>").split("?>", 1)[1],
     "BAD_REQUEST", DOCTYPE_REFUSED),
    ("deep", _envelope("<a>" * 5000 + "</a>" * 5000), "BAD_REQUEST",
     "(elements nested too deep)"),
    ("soap12-as-11", _envelope("<v:VerifyLevel1/>").replace(
        "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"),
     "BAD_REQUEST", "(a SOAP 1.2 Envelope sent as text/xml)"),
    ("not-soap", "<hello/>", "BAD_REQUEST",
     "(the root element is not a SOAP 1.1 or SOAP 1.2 Envelope)"),
    ("forged-security", _envelope("<v:RequestOtp><v:code>AAAAAAAAAAAAAAAAAAAA</v:code>"
                                  "<v:fiscalCode>RSSMRA80A01H501U</v:fiscalCode></v:RequestOtp>",
                                  "<wsse:Security xmlns:wsse='x'><wsse:UsernameToken>"
                                  "<wsse:Username>admin</wsse:Username></wsse:UsernameToken>"
                                  "</wsse:Security>"), "AUTH_FAILED", ""),
], ids=["xxe", "bomb", "deep", "soap12-as-11", "not-soap", "forged-security"])
def test_hostile_bodies_get_a_fault_quickly(invqr, name, body, code, reason):
    # "quickly": within post()'s timeout, which a server expanding entities
    # without bound or waiting for more input would not meet. (No stopwatch
    # here: how long a right answer takes depends on the machine's load.)
    r = post(invqr, body.encode(), action='"urn:invqr:verify:1:RequestOtp"'
             if "RequestOtp" in body else '"urn:invqr:verify:1:VerifyLevel1"')
    assert r.status_code in (400, 500), (name, r.status_code, r.text[:300])
    assert "Fault" in r.text
    assert "root:" not in r.text
    # refused for what it is, not for some other fault on the way
    assert detail_code(r) == code, r.text[:400]
    assert reason in r.text, r.text[:400]


@pytest.mark.parametrize("version", ["1.1", "1.2"])
@pytest.mark.parametrize("doctype", ["<!DOCTYPE Envelope>", "<!DOCTYPE s:Envelope []>",
                                     '<!DOCTYPE s:Envelope SYSTEM "invqr-none.dtd">'])
def test_a_doctype_without_entities_is_refused_too(invqr, tmp_path, version, doctype):
    """A DOCTYPE declares no entity here, and the envelope after it is a
    right one: still a BAD_REQUEST fault, unread, with nothing answered or
    audited. Without the DOCTYPE the same envelope is answered."""
    fc, _ = new_citizen(invqr, tmp_path, surname="Dichiarato", given="Tipo")
    code = generate(invqr, sign_in(invqr, fc))
    ns, ctype = ("http://schemas.xmlsoap.org/soap/envelope/", "text/xml; charset=utf-8") \
        if version == "1.1" else ("http://www.w3.org/2003/05/soap-envelope",
                                  "application/soap+xml; charset=utf-8")
    env = ('<s:Envelope xmlns:s="%s" xmlns:v="urn:invqr:verify:1"><s:Body><v:VerifyLevel1>'
           '<v:code>%s</v:code><v:fiscalCode>%s</v:fiscalCode></v:VerifyLevel1></s:Body>'
           '</s:Envelope>' % (ns, code, fc))
    mark = invqr.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]
    r = post(invqr, ('<?xml version="1.0"?>' + doctype + env).encode(), ctype=ctype)
    assert r.status_code == 500 and detail_code(r) == "BAD_REQUEST", r.text[:400]
    assert DOCTYPE_REFUSED in r.text
    assert ("soap:Client" if version == "1.1" else "soap:Sender") in r.text
    assert "Dichiarato" not in r.text and fc not in r.text
    assert invqr.sql("SELECT COUNT(*) FROM audit_log WHERE id > %s AND code = '%s'"
                     % (mark, code)) == [("0",)]
    ok = post(invqr, ('<?xml version="1.0"?>' + env).encode(), ctype=ctype)
    assert ok.status_code == 200 and "Tipo Dichiarato" in ok.text, ok.text[:400]


def test_a_chunked_request_is_answered_like_any_other(invqr, tmp_path):
    """Many SOAP stacks (CXF, .NET) stream the envelope chunked, without a
    Content-Length: the answer is the same; too big is still refused."""
    fc, _ = new_citizen(invqr, tmp_path, surname="Chunked", given="Carla")
    code = generate(invqr, sign_in(invqr, fc))
    env = _envelope("<v:VerifyLevel1><v:code>%s</v:code><v:fiscalCode>%s</v:fiscalCode>"
                    "</v:VerifyLevel1>" % (code, fc)).encode()
    pieces = (env[i:i + 1] for i in range(len(env)))       # a chunk per byte, even
    r = post(invqr, pieces)
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert r.status_code == 200, r.text[:300]
    assert re.search(r"<(\w+:)?name>Carla Chunked</(\w+:)?name>", r.text), r.text[:300]
    big = (b"<a>" + b"x" * 65536 for _ in range(64))
    assert post(invqr, big).status_code == 413
    empty = post(invqr, (b"" for _ in range(1)))
    assert empty.status_code in (400, 500) and detail_code(empty) == "BAD_REQUEST"


def test_ten_megabytes_are_refused_unread(invqr):
    r = post(invqr, b"<a>" + b"x" * (10 * 1024 * 1024) + b"</a>")
    assert r.status_code == 413


def test_php_soapclient_both_versions(invqr, tmp_path, operator):
    fc, _ = new_citizen(invqr, tmp_path, surname="Php", given="Client")
    code = generate(invqr, sign_in(invqr, fc))
    script = tmp_path / "client.php"
    script.write_text(r'''<?php
$url = $argv[1]; $out = [];
foreach ([SOAP_1_1, SOAP_1_2] as $v) {
    $c = new SoapClient($url . "/soap?wsdl", ["soap_version" => $v, "exceptions" => true,
                                               "cache_wsdl" => WSDL_CACHE_NONE]);
    $r = $c->VerifyLevel1(["code" => $argv[2], "fiscalCode" => $argv[3]]);
    $out[] = ["name" => $r->name, "civil" => $r->civilInvalidity, "handicap" => $r->handicap];
    try {
        $c->VerifyLevel1(["code" => $argv[2], "fiscalCode" => "RSSMRA80A01H501U"]);
        $out[] = "no fault";
    } catch (SoapFault $f) {
        $out[] = ["fault" => $f->faultcode, "detail" => json_encode($f->detail)];
    }
}
echo json_encode($out);
''')
    r = subprocess.run(["php", str(script), invqr.url, code, fc], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out[0]["name"] == "Client Php" and out[0]["civil"] is True
    assert out[2]["name"] == "Client Php"
    assert "FISCAL_CODE_MISMATCH" in out[1]["detail"] and "FISCAL_CODE_MISMATCH" in out[3]["detail"]
