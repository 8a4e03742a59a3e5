# SPDX-License-Identifier: Apache-2.0
"""PDND vouchers on the SOAP endpoint (issue 15): the OAuth bearer JWT that
PDND Interoperabilita' issues, sent as "Authorization: Bearer" through
mod_invqr to the workers, checked against the JWKS in invqr.conf. The test
instance's stand-in for PDND is the key script/lib.sh made (pdnd-demo.key);
vouchers are signed here with the openssl command line, the way PDND signs
them (RS256, typ at+jwt, kid), and the hostile ones are the forgeries an
attacker can make: other keys, alg none or HS256, other audiences, stale,
future, replayed, or for a purpose nobody registered."""
import base64
import json
import subprocess
import time
import uuid

import pytest
import requests
from lxml import etree
from zeep import Client, Settings, Transport
from zeep.exceptions import Fault
from zeep.wsa import WsAddressingPlugin

from test_040_verify import generate, new_citizen, sign_in
from test_060_soap import PORTS, fault_code, new_otp, spool_names
from test_062_modi import ModiSignature, code_of, make_cert, signed_bytes
from pdnd_voucher import KID, PURPOSE_P, PURPOSE_Q, b64u, make_voucher, rs256

ORG_P, ORG_Q = "Comune con Voucher", "Regione Altra"
OPERATOR_P = "voucher.sportello1"


@pytest.fixture(scope="module")
def orgs(invqr, tmp_path_factory):
    d = tmp_path_factory.mktemp("pdnd")
    certs = {"p": make_cert(d, "voucher-p"), "q": make_cert(d, "voucher-q")}
    for org in (ORG_P, ORG_Q):
        invqr.admin("org", "add", org, check=0)
    invqr.admin("operator", "add", "--org", ORG_P, OPERATOR_P,
                stdin="a voucher operator's password\n", check=0)
    invqr.admin("org", "cert", "add", ORG_P, str(certs["p"][1]), check=0)
    invqr.admin("org", "cert", "add", ORG_Q, str(certs["q"][1]), check=0)
    invqr.admin("org", "purpose", "add", ORG_P, PURPOSE_P, check=0)
    invqr.admin("org", "purpose", "add", ORG_Q, PURPOSE_Q, check=0)
    ids = {n: invqr.sql("SELECT id FROM organisation WHERE name = '%s'" % n)[0][0]
           for n in (ORG_P, ORG_Q)}
    return d, certs, ids


@pytest.fixture
def citizen(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path, pct="67", judgment="Con voucher")
    return fc, generate(invqr, sign_in(invqr, fc))


def level1_xml(code, fc):
    return ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:v="urn:invqr:verify:1"><soap:Body><v:VerifyLevel1><v:code>%s</v:code>'
            '<v:fiscalCode>%s</v:fiscalCode></v:VerifyLevel1></soap:Body></soap:Envelope>'
            % (code, fc)).encode()


def post_level1(invqr, citizen, voucher=None, authorization=None):
    fc, code = citizen
    headers = {"Content-Type": "text/xml; charset=utf-8",
               "SOAPAction": '"urn:invqr:verify:1:VerifyLevel1"'}
    if voucher is not None:
        headers["Authorization"] = "Bearer " + voucher
    if authorization is not None:
        headers["Authorization"] = authorization
    return requests.post(invqr.url + "/soap", data=level1_xml(code, fc), headers=headers,
                         timeout=5)


def last_verify_org(invqr, mark):
    return invqr.sql("SELECT COALESCE(org_id, 0) FROM audit_log WHERE id > %s AND event = "
                     "'verify' ORDER BY id DESC LIMIT 1" % mark)


def audit_mark(invqr):
    return invqr.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]


# -- the voucher names the organisation ---------------------------------------------

def test_a_voucher_alone_names_the_organisation(invqr, orgs, citizen):
    _, _, ids = orgs
    mark = audit_mark(invqr)
    v = make_voucher(invqr)
    r = post_level1(invqr, citizen, v)
    assert r.status_code == 200 and "VerifyLevel1Response" in r.text, r.text
    assert last_verify_org(invqr, mark) == [(ids[ORG_P],)]
    # the voucher spent is traced: its purpose, client and jti
    claims = json.loads(base64.urlsafe_b64decode(v.split(".")[1] + "=="))
    assert invqr.sql("SELECT org_id, outcome, detail FROM audit_log WHERE id > %s AND event = "
                     "'login'" % mark) == [
        (ids[ORG_P], "ok", "soap-pdnd purpose=%s client=%s jti=%s"
         % (PURPOSE_P, claims["client_id"], claims["jti"]))]
    # without a voucher the same call is anonymous, as before
    mark = audit_mark(invqr)
    assert post_level1(invqr, citizen).status_code == 200
    assert last_verify_org(invqr, mark) == [("0",)]


def test_a_voucher_is_accepted_once(invqr, orgs, citizen):
    v = make_voucher(invqr)
    assert post_level1(invqr, citizen, v).status_code == 200
    again = post_level1(invqr, citizen, v)
    assert (again.status_code, code_of(again)) == (500, "REPLAYED"), again.text
    jti = json.loads(base64.urlsafe_b64decode(v.split(".")[1] + "=="))["jti"]
    assert invqr.sql("SELECT expires_at > NOW() FROM pdnd_voucher_jti WHERE jti_hash = "
                     "UNHEX(SHA2('%s', 256))" % jti) == [("1",)]


def hs256_with_the_public_key(invqr):
    """The classic forgery: alg HS256 with the public JWKS as the secret."""
    import hashlib
    import hmac
    h = b64u(json.dumps({"typ": "at+jwt", "alg": "HS256", "kid": KID}).encode())
    now = int(time.time())
    c = b64u(json.dumps({"iss": invqr.conf_value("pdnd_issuer"), "aud":
                         invqr.conf_value("pdnd_audience"), "iat": now, "nbf": now,
                         "exp": now + 600, "jti": str(uuid.uuid4()), "client_id": "x",
                         "purposeId": PURPOSE_P}).encode())
    secret = (invqr.run / "pdnd-jwks.json").read_bytes()
    return h + "." + c + "." + b64u(hmac.new(secret, (h + "." + c).encode(),
                                             hashlib.sha256).digest())


@pytest.mark.allow_log(r"INVQR0225: PDND voucher refused", r"INVQR0226: PDND voucher for a purpose")
@pytest.mark.parametrize("forgery", [
    "other key", "alg none", "hs256", "unknown kid", "typ JWT", "other audience",
    "audience list without us", "other issuer", "expired", "not yet valid",
    "issued in the future", "lifetime too long", "no jti", "no purposeId", "no client_id",
    "exp as string", "unregistered purpose", "tampered claims", "not a JWS", "padding",
    "duplicate member"])
def test_forged_or_unfit_vouchers_are_refused(invqr, orgs, citizen, tmp_path, forgery):
    now = int(time.time())
    if forgery == "other key":
        other = tmp_path / "other.key"
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", str(other)], check=True,
                       capture_output=True)
        v = make_voucher(invqr, key=other)
    elif forgery == "alg none":
        v = make_voucher(invqr, header={"alg": "none"})
    elif forgery == "hs256":
        v = hs256_with_the_public_key(invqr)
    elif forgery == "unknown kid":
        v = make_voucher(invqr, header={"kid": "someone-else"})
    elif forgery == "typ JWT":
        v = make_voucher(invqr, header={"typ": "JWT"})
    elif forgery == "other audience":
        v = make_voucher(invqr, aud="https://elsewhere.example/soap")
    elif forgery == "audience list without us":
        v = make_voucher(invqr, aud=["https://a.example", "https://b.example"])
    elif forgery == "other issuer":
        v = make_voucher(invqr, iss="attacker.example")
    elif forgery == "expired":
        v = make_voucher(invqr, iat=now - 1200, nbf=now - 1200, exp=now - 300)
    elif forgery == "not yet valid":
        v = make_voucher(invqr, nbf=now + 600, exp=now + 1200)
    elif forgery == "issued in the future":
        v = make_voucher(invqr, iat=now + 600, exp=now + 1200)
    elif forgery == "lifetime too long":
        v = make_voucher(invqr, exp=now + 2 * 86400)
    elif forgery == "no jti":
        v = make_voucher(invqr, drop=("jti",))
    elif forgery == "no purposeId":
        v = make_voucher(invqr, drop=("purposeId",))
    elif forgery == "no client_id":
        v = make_voucher(invqr, drop=("client_id",))
    elif forgery == "exp as string":
        v = make_voucher(invqr, exp=str(now + 600))
    elif forgery == "unregistered purpose":
        v = make_voucher(invqr, purposeId=str(uuid.uuid4()))
    elif forgery == "tampered claims":
        h, c, s = make_voucher(invqr).split(".")
        claims = json.loads(base64.urlsafe_b64decode(c + "=="))
        claims["purposeId"] = PURPOSE_Q
        v = h + "." + b64u(json.dumps(claims).encode()) + "." + s
    elif forgery == "not a JWS":
        v = make_voucher(invqr) + ".x"
    elif forgery == "padding":
        h, c, s = make_voucher(invqr).split(".")
        v = h + "." + c + "." + s + "=="
    else:
        h, c, s = make_voucher(invqr).split(".")
        dup = base64.urlsafe_b64decode(c + "==").decode()
        dup = dup[:-1] + ', "purposeId": "%s"}' % PURPOSE_Q
        # re-signed by the real key: only the parser can refuse it
        signing_input = h + "." + b64u(dup.encode())
        v = signing_input + "." + b64u(rs256(invqr.run / "pdnd-demo.key",
                                             signing_input.encode()))
    started = time.monotonic()
    r = post_level1(invqr, citizen, v)
    assert (r.status_code, code_of(r)) == (500, "AUTH_FAILED"), r.text
    # a refused voucher is not a first-level attempt: nothing was verified
    assert time.monotonic() - started < 5


@pytest.mark.allow_log(r"INVQR0225: PDND voucher refused")
@pytest.mark.parametrize("authorization", ["Bearer not*a*token", "Bearer ", "bearer a.b"])
def test_malformed_bearer_is_refused_not_ignored(invqr, orgs, citizen, authorization):
    r = post_level1(invqr, citizen, authorization=authorization)
    assert (r.status_code, code_of(r)) == (500, "AUTH_FAILED"), r.text[:300]


def test_an_oversized_bearer_never_reaches_the_workers(invqr, orgs, citizen):
    """httpd's own header limit (8190 bytes) refuses it before mod_invqr."""
    r = post_level1(invqr, citizen, authorization="Bearer " + "a" * 9000)
    assert r.status_code == 400 and "AUTH_FAILED" not in r.text


def test_other_authorization_schemes_are_ignored(invqr, orgs, citizen):
    mark = audit_mark(invqr)
    r = post_level1(invqr, citizen, authorization="Basic dXNlcjpwYXNz")
    assert r.status_code == 200, r.text
    assert last_verify_org(invqr, mark) == [("0",)]


def test_a_voucher_cannot_be_slipped_in_as_the_modules_parameter(invqr, orgs, citizen):
    """A client header named like the module's parameter arrives as
    HTTP_INVQR_VOUCHER, never as INVQR_VOUCHER: the call stays anonymous."""
    fc, code = citizen
    mark = audit_mark(invqr)
    r = requests.post(invqr.url + "/soap", data=level1_xml(code, fc),
                      headers={"Content-Type": "text/xml; charset=utf-8",
                               "Invqr-Voucher": make_voucher(invqr)}, timeout=5)
    assert r.status_code == 200, r.text
    assert last_verify_org(invqr, mark) == [("0",)]


@pytest.fixture(scope="module")
def reusable(tmp_path_factory):
    """An instance with pdnd_voucher_single_use = no."""
    from harness import module_instance
    yield from module_instance("pdnd-reuse", env={"INVQR_PDND_SINGLE_USE": "no"})


def test_reuse_until_expiry_when_configured(reusable, tmp_path):
    """As PDND allows: the same voucher, three calls, all accepted."""
    inst = reusable
    assert inst.conf_value("pdnd_voucher_single_use") == "no"
    inst.admin("org", "add", ORG_P, check=0)
    inst.admin("org", "purpose", "add", ORG_P, PURPOSE_P, check=0)
    fc, _ = new_citizen(inst, tmp_path, pct="67")
    code = generate(inst, sign_in(inst, fc))
    v = make_voucher(inst)
    for _ in range(3):
        assert post_level1(inst, (fc, code), v).status_code == 200
    assert inst.sql("SELECT COUNT(*) FROM pdnd_voucher_jti") == [("0",)]
    # and a forged one is still refused
    r = post_level1(inst, (fc, code), make_voucher(inst, aud="https://elsewhere.example"))
    assert code_of(r) == "AUTH_FAILED"


# -- with ModI signatures and operators --------------------------------------------

def zeep_with_voucher(invqr, key, cert, voucher, version="1.1", **kw):
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + voucher
    kw.setdefault("agency_cert", invqr.conf_value("soap_signing_cert"))
    c = Client(invqr.url + "/soap?wsdl", wsse=ModiSignature(key, cert, **kw),
               plugins=[WsAddressingPlugin()], transport=Transport(session=s),
               settings=Settings(strict=True))
    return c.bind("InvQRVerifyService", PORTS[version])


def test_signed_and_vouched_requests_run_every_operation(invqr, orgs, citizen):
    """ModI ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01 with a PDND voucher, as a
    PA integrator behind PDND calls: every operation, by zeep."""
    _, certs, ids = orgs
    fc, code = citizen
    key, cert = certs["p"]
    invqr.admin("org", "voucher", ORG_P, "required", check=0)
    try:
        svc = zeep_with_voucher(invqr, key, cert, make_voucher(invqr))
        assert svc.VerifyLevel1(code=code, fiscalCode=fc).civilInvalidity is True
        before = spool_names(invqr)
        ch = zeep_with_voucher(invqr, key, cert, make_voucher(invqr),
                               operator=OPERATOR_P).RequestOtp(code=code, fiscalCode=fc)
        res = zeep_with_voucher(invqr, key, cert, make_voucher(invqr),
                                operator=OPERATOR_P).VerifyLevel2(
            challengeId=ch.challengeId, otp=new_otp(invqr, before))
        assert res.medicalJudgment == "Con voucher" and res.invalidityPercent == 67
    finally:
        invqr.admin("org", "voucher", ORG_P, "optional", check=0)


@pytest.mark.allow_log(r"INVQR0229: SOAP request without the PDND voucher")
def test_an_organisation_can_require_vouchers(invqr, orgs, citizen):
    _, certs, _ = orgs
    fc, code = citizen
    key, cert = certs["p"]
    invqr.admin("org", "voucher", ORG_P, "required", check=0)
    try:
        env, headers = signed_bytes(invqr, key, cert, code=code, fiscalCode=fc)
        r = requests.post(invqr.url + "/soap", data=etree.tostring(env), headers=headers,
                          timeout=5)
        assert (r.status_code, code_of(r)) == (500, "AUTH_FAILED"), r.text
        # the legacy UsernameToken of the same organisation's operator too
        from test_060_soap import client
        with pytest.raises(Fault) as e:
            client(invqr, "1.1", OPERATOR_P, "a voucher operator's password").RequestOtp(
                code=code, fiscalCode=fc)
        assert fault_code(e.value) == "AUTH_FAILED"
    finally:
        invqr.admin("org", "voucher", ORG_P, "optional", check=0)
    listed = invqr.admin("org", "purpose", "list", check=0).stdout
    assert PURPOSE_P in listed and ORG_P in listed


@pytest.mark.allow_log(r"INVQR0227: PDND voucher of another organisation")
def test_a_voucher_of_another_organisation_is_refused(invqr, orgs, citizen):
    """Organisation P signs; the voucher is organisation Q's."""
    _, certs, _ = orgs
    fc, code = citizen
    key, cert = certs["p"]
    env, headers = signed_bytes(invqr, key, cert, code=code, fiscalCode=fc)
    headers = dict(headers, Authorization="Bearer " + make_voucher(invqr, purposeId=PURPOSE_Q))
    r = requests.post(invqr.url + "/soap", data=etree.tostring(env), headers=headers, timeout=5)
    assert (r.status_code, code_of(r)) == (500, "AUTH_FAILED"), r.text


def test_admin_purpose_commands(invqr, orgs):
    assert invqr.admin("org", "purpose", "add", ORG_Q, PURPOSE_Q).returncode == 1  # twice
    assert invqr.admin("org", "purpose", "remove", ORG_P, PURPOSE_Q).returncode == 1  # not P's
    assert invqr.admin("org", "purpose", "add", ORG_Q, "has space").returncode == 2
    extra = str(uuid.uuid4())
    invqr.admin("org", "purpose", "add", ORG_Q, extra, check=0)
    invqr.admin("org", "purpose", "remove", ORG_Q, extra, check=0)
    assert extra not in invqr.admin("org", "purpose", "list", check=0).stdout
    audit = invqr.sql("SELECT event FROM audit_log WHERE event LIKE 'org_purpose_%'")
    assert ("org_purpose_add",) in audit and ("org_purpose_remove",) in audit
