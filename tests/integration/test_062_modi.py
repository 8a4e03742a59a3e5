# SPDX-License-Identifier: Apache-2.0
"""SOAP security for PA integrators (SPEC): AgID ModI's ID_AUTH_SOAP_01/02 and
INTEGRITY_SOAP_01, signed by real clients - python3-zeep with Debian's
python3-xmlsec (a BinarySignature that also signs the Timestamp and the
WS-Addressing headers) and the xmlsec1 command line - against certificates
made here with openssl and registered with invqr-admin; and the hostile
cases: signature wrapping, foreign, unregistered or expired certificates,
replays, stale Timestamps, disallowed algorithms, oversized signatures."""
import base64
import copy
import datetime
import re
import subprocess
import uuid

import pytest
import requests
import xmlsec
from lxml import etree
from zeep import Client, Settings
from zeep.exceptions import Fault
from zeep.wsa import WsAddressingPlugin
from zeep.wsse.signature import BinarySignature
from zeep.wsse.utils import get_security_header

from test_040_verify import generate, new_citizen, sign_in
from test_060_soap import PORTS, fault_code, new_otp, spool_names

WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSA = "http://www.w3.org/2005/08/addressing"
DS = "http://www.w3.org/2000/09/xmldsig#"
S11 = "http://schemas.xmlsoap.org/soap/envelope/"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
B64 = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
       "#Base64Binary")
ORG_A, ORG_B = "Comune di Firmato", "Provincia di Altrove"
OPERATOR = "firmato.sportello1"


# -- certificates, made with openssl --------------------------------------------------

def make_cert(d, name, kind="rsa", dates=None):
    key, cert = d / f"{name}.key", d / f"{name}.pem"
    newkey = ["-newkey", "rsa:2048"] if kind == "rsa" else \
        ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    if dates is None:
        subprocess.run(["openssl", "req", "-x509", *newkey, "-nodes", "-sha256", "-days", "30",
                        "-subj", f"/CN={name}/O=invqr tests", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        return key, cert
    # fixed dates (an expired certificate): a throw-away self-signing CA
    csr = d / f"{name}.csr"
    subprocess.run(["openssl", "req", "-new", *newkey, "-nodes", "-subj",
                    f"/CN={name}/O=invqr tests", "-keyout", key, "-out", csr],
                   check=True, capture_output=True)
    ca = d / f"ca-{name}"
    ca.mkdir()
    (ca / "index.txt").write_text("")
    (ca / "serial").write_text("01\n")
    (ca / "ca.cnf").write_text(
        "[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\nnew_certs_dir=%s\nserial=%s/serial\n"
        "policy=p\ndefault_md=sha256\n[p]\ncommonName=supplied\n" % (ca, ca, ca))
    subprocess.run(["openssl", "ca", "-batch", "-config", ca / "ca.cnf", "-selfsign",
                    "-keyfile", key, "-in", csr, "-startdate", dates[0], "-enddate", dates[1],
                    "-out", cert], check=True, capture_output=True)
    return key, cert


def fingerprint(cert):
    out = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"],
                         check=True, capture_output=True, text=True).stdout
    return out.strip().split("=", 1)[1].replace(":", "")


# -- the signing client: zeep's BinarySignature, extended to ModI -----------------------

class ModiSignature(BinarySignature):
    """ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01: a Timestamp, the certificate as a
    BinarySecurityToken, one signature over Body, Timestamp, wsa:To,
    wsa:MessageID (and the operator's UsernameToken without password)."""

    def __init__(self, key, cert, operator=None, sig=None, digest=None, age=0,
                 parts=("Body", "Timestamp", "To", "MessageID", "UsernameToken"),
                 agency_cert=None):
        super().__init__(str(key), str(cert), signature_method=sig or xmlsec.Transform.RSA_SHA256,
                         digest_method=digest or xmlsec.Transform.SHA256)
        self.operator, self.age, self.parts = operator, age, parts
        self.agency_cert, self.message_id, self.verified = agency_cert, None, 0

    def apply(self, envelope, headers):
        sign(envelope, self.key_data, self.cert_data, self.signature_method, self.digest_method,
             self.operator, self.age, self.parts)
        self.message_id = envelope.find(".//{%s}MessageID" % WSA).text
        return envelope, headers

    def verify(self, envelope):
        """An answer (faults are not signed) must be signed by the agency over
        its Body, Timestamp and a wsa:RelatesTo naming our MessageID."""
        if self.agency_cert is None or envelope.find(".//{%s}Fault" % S11) is not None \
                or envelope.find(".//{http://www.w3.org/2003/05/soap-envelope}Fault") is not None:
            return envelope
        verify_answer(envelope, self.agency_cert, self.message_id)
        self.verified += 1
        return envelope


def verify_answer(envelope, agency_cert, message_id):
    signature = envelope.find(".//{%s}Security/{%s}Signature" % (WSSE, DS))
    assert signature is not None, "the answer is not signed"
    ctx = xmlsec.SignatureContext()
    ctx.key = xmlsec.Key.from_file(agency_cert, xmlsec.KeyFormat.CERT_PEM)
    covered = set()
    for ref in signature.iter("{%s}Reference" % DS):
        target = envelope.xpath("//*[@wsu:Id=$id]", namespaces={"wsu": WSU},
                                id=ref.get("URI")[1:])
        assert len(target) == 1
        ctx.register_id(target[0], "Id", WSU)
        covered.add(etree.QName(target[0]).localname)
    assert {"Body", "Timestamp", "RelatesTo"} <= covered, covered
    ctx.verify(signature)               # raises when it does not hold
    assert envelope.find(".//{%s}RelatesTo" % WSA).text == message_id


def sign(envelope, key_data, cert_data, sig, digest, operator=None, age=0,
         parts=("Body", "Timestamp", "To", "MessageID", "UsernameToken")):
    security = get_security_header(envelope)
    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=age)
    ts = etree.SubElement(security, "{%s}Timestamp" % WSU)
    etree.SubElement(ts, "{%s}Created" % WSU).text = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    etree.SubElement(ts, "{%s}Expires" % WSU).text = \
        (now + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if operator:
        tok = etree.SubElement(security, "{%s}UsernameToken" % WSSE)
        etree.SubElement(tok, "{%s}Username" % WSSE).text = operator
    key = xmlsec.Key.from_memory(key_data, xmlsec.KeyFormat.PEM, None)
    key.load_cert_from_memory(cert_data, xmlsec.KeyFormat.PEM)
    bst = etree.SubElement(security, "{%s}BinarySecurityToken" % WSSE,
                           ValueType=X509V3, EncodingType=B64)
    der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=cert_data,
                         capture_output=True, check=True).stdout
    bst.text = base64.b64encode(der).decode()
    bst.set("{%s}Id" % WSU, "X509-" + uuid.uuid4().hex)
    signature = xmlsec.template.create(envelope, xmlsec.Transform.EXCL_C14N, sig)
    security.append(signature)
    ctx = xmlsec.SignatureContext()
    ctx.key = key
    header = envelope.find("{%s}Header" % etree.QName(envelope).namespace)
    targets = {"Body": envelope.find("{%s}Body" % etree.QName(envelope).namespace),
               "Timestamp": ts,
               "To": header.find("{%s}To" % WSA),
               "MessageID": header.find("{%s}MessageID" % WSA),
               "UsernameToken": security.find("{%s}UsernameToken" % WSSE)}
    for name in parts:
        node = targets[name]
        if node is None:
            continue
        node_id = node.get("{%s}Id" % WSU) or "id-" + uuid.uuid4().hex
        node.set("{%s}Id" % WSU, node_id)
        ctx.register_id(node, "Id", WSU)
        ref = xmlsec.template.add_reference(signature, digest, uri="#" + node_id)
        xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
    ki = xmlsec.template.ensure_key_info(signature)
    str_ = etree.SubElement(ki, "{%s}SecurityTokenReference" % WSSE)
    etree.SubElement(str_, "{%s}Reference" % WSSE, URI="#" + bst.get("{%s}Id" % WSU),
                     ValueType=X509V3)
    ctx.sign(signature)


# -- the instance's organisations and certificates -------------------------------------

@pytest.fixture(scope="module")
def pki(invqr, tmp_path_factory):
    d = tmp_path_factory.mktemp("modi")
    certs = {"a": make_cert(d, "comune-a"), "a_ec": make_cert(d, "comune-a-ec", "ec"),
             "b": make_cert(d, "provincia-b"), "stranger": make_cert(d, "stranger"),
             "expired": make_cert(d, "expired", dates=("20200101000000Z", "20200201000000Z"))}
    for org in (ORG_A, ORG_B):
        invqr.admin("org", "add", org)
    invqr.admin("operator", "add", "--org", ORG_A, OPERATOR, stdin="a password that is long\n", check=0)
    invqr.admin("org", "cert", "add", ORG_A, str(certs["a"][1]), check=0)
    invqr.admin("org", "cert", "add", ORG_A, str(certs["a_ec"][1]), check=0)
    invqr.admin("org", "cert", "add", ORG_B, str(certs["b"][1]), check=0)
    return d, certs


def signed_client(invqr, key, cert, version="1.1", **kw):
    kw.setdefault("agency_cert", invqr.conf_value("soap_signing_cert"))
    c = Client(invqr.url + "/soap?wsdl", wsse=ModiSignature(key, cert, **kw),
               plugins=[WsAddressingPlugin()], settings=Settings(strict=True))
    return c.bind("InvQRVerifyService", PORTS[version])


def signed_bytes(invqr, key, cert, op="VerifyLevel1", version="1.1", **params):
    """The bytes zeep would send, signed, and their HTTP headers."""
    kw = {k: params.pop(k) for k in ("operator", "sig", "digest", "age", "parts")
          if k in params}
    c = Client(invqr.url + "/soap?wsdl", wsse=ModiSignature(key, cert, **kw),
               plugins=[WsAddressingPlugin()], settings=Settings(strict=True))
    svc = c.bind("InvQRVerifyService", PORTS[version])
    return svc._binding._create(op, (), params, client=c, options=svc._binding_options)


def post(invqr, envelope, headers):
    body = envelope if isinstance(envelope, bytes) else etree.tostring(envelope)
    r = requests.post(invqr.url + "/soap", data=body, headers=headers, timeout=5)
    return r


def code_of(r):
    m = re.search(r"<[a-z]+:code>([A-Z_]+)</", r.text)
    return m.group(1) if m else r.status_code


@pytest.fixture
def citizen(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path, pct="80", judgment="Firmato")
    return fc, generate(invqr, sign_in(invqr, fc))


# -- the happy paths -------------------------------------------------------------------

@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_zeep_signs_every_operation(invqr, pki, citizen, version):
    """A zeep client signing as ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01 runs every
    operation; the operator is named by the signed UsernameToken; all audited
    with the organisation."""
    _, certs = pki
    fc, code = citizen
    key, cert = certs["a"]
    mark = invqr.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]
    svc = signed_client(invqr, key, cert, version)
    res = svc.VerifyLevel1(code=code, fiscalCode=fc)
    assert res.civilInvalidity is True
    assert svc._client.wsse.verified == 1       # the answer was signed by the agency
    before = spool_names(invqr)
    ch = signed_client(invqr, key, cert, version, operator=OPERATOR).RequestOtp(
        code=code, fiscalCode=fc)
    res = signed_client(invqr, key, cert, version, operator=OPERATOR).VerifyLevel2(
        challengeId=ch.challengeId, otp=new_otp(invqr, before))
    assert res.medicalJudgment == "Firmato" and res.invalidityPercent == 80
    org = invqr.sql("SELECT id FROM organisation WHERE name = '%s'" % ORG_A)[0][0]
    op = invqr.sql("SELECT id FROM operator WHERE username = '%s'" % OPERATOR)[0][0]
    rows = invqr.sql("SELECT event, outcome, detail, org_id, COALESCE(operator_id, 0) "
                     "FROM audit_log WHERE id > %s AND event = 'login'" % mark)
    assert rows == [("login", "ok", "soap-modi", org, op)] * 2
    # the signed first level is the organisation's, in its verification row
    first = invqr.sql("SELECT org_id, outcome FROM audit_log WHERE id > %s AND event = 'verify' "
                      "AND level = 1 ORDER BY id LIMIT 1" % mark)
    assert first == [(org, "match")]
    shown = invqr.sql("SELECT COALESCE(operator_id, 0) FROM audit_log WHERE id > %s "
                      "AND event = 'level2' AND outcome = 'shown'" % mark)
    assert shown == [(op,)]


def test_ecdsa_sha384_and_c14n11_by_xmlsec1(invqr, pki, citizen, tmp_path):
    """The xmlsec1 command line signs an ECDSA-SHA384 signature with C14N 1.1
    and SHA-512 digests: allowed algorithms, another signer."""
    _, certs = pki
    fc, code = citizen
    key, cert = certs["a_ec"]
    doc = template(invqr, cert, code, fc, sig="ecdsa-sha384", digest="sha512",
                   c14n="http://www.w3.org/2006/12/xml-c14n11")
    r = post(invqr, xmlsec1_sign(tmp_path, doc, key), {"Content-Type": "text/xml"})
    assert r.status_code == 200 and "VerifyLevel1Response" in r.text, r.text
    verify_answer(etree.fromstring(r.content), invqr.conf_value("soap_signing_cert"),
                  re.search(r"urn:uuid:[0-9a-f-]+", doc).group(0))


# -- xmlsec1 templates -----------------------------------------------------------------

MORE = "http://www.w3.org/2001/04/xmldsig-more#"
ENC = "http://www.w3.org/2001/04/xmlenc#"
ALGS = {"rsa-sha256": MORE + "rsa-sha256", "rsa-sha1": DS + "rsa-sha1",
        "ecdsa-sha384": MORE + "ecdsa-sha384", "sha512": ENC + "sha512",
        "sha256": ENC + "sha256", "sha1": DS + "sha1"}


def template(invqr, cert, code, fc, sig="rsa-sha256", digest="sha256",
             c14n="http://www.w3.org/2001/10/xml-exc-c14n#", to=None, refs=None, extra=""):
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                         capture_output=True, check=True).stdout
    now = datetime.datetime.now(datetime.timezone.utc)
    refs = refs or ["body", "ts", "to", "mid"]
    reference = "".join(
        '<ds:Reference URI="#%s"><ds:Transforms><ds:Transform Algorithm="%s"/></ds:Transforms>'
        '<ds:DigestMethod Algorithm="%s"/><ds:DigestValue/></ds:Reference>'
        % (r, c14n, ALGS[digest]) for r in refs)
    return (
        '<soap:Envelope xmlns:soap="%s" xmlns:wsu="%s" xmlns:wsse="%s" xmlns:wsa="%s" '
        'xmlns:ds="%s" xmlns:v="urn:invqr:verify:1"><soap:Header>'
        '<wsa:To wsu:Id="to">%s</wsa:To><wsa:MessageID wsu:Id="mid">urn:uuid:%s</wsa:MessageID>'
        '<wsse:Security><wsu:Timestamp wsu:Id="ts"><wsu:Created>%s</wsu:Created>'
        '<wsu:Expires>%s</wsu:Expires></wsu:Timestamp>'
        '<wsse:BinarySecurityToken wsu:Id="x509" ValueType="%s" EncodingType="%s">%s'
        '</wsse:BinarySecurityToken><ds:Signature><ds:SignedInfo>'
        '<ds:CanonicalizationMethod Algorithm="%s"/><ds:SignatureMethod Algorithm="%s"/>%s'
        '</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><wsse:SecurityTokenReference>'
        '<wsse:Reference URI="#x509" ValueType="%s"/></wsse:SecurityTokenReference>'
        '</ds:KeyInfo></ds:Signature></wsse:Security>%s</soap:Header>'
        '<soap:Body wsu:Id="body"><v:VerifyLevel1><v:code>%s</v:code>'
        '<v:fiscalCode>%s</v:fiscalCode></v:VerifyLevel1></soap:Body></soap:Envelope>'
        % (S11, WSU, WSSE, WSA, DS, to or invqr.url + "/soap", uuid.uuid4(),
           now.strftime("%Y-%m-%dT%H:%M:%SZ"),
           (now + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
           X509V3, B64, base64.b64encode(der).decode(), c14n, ALGS[sig], reference, X509V3,
           extra, code, fc))


def xmlsec1_sign(tmp_path, doc, key):
    src = tmp_path / ("tmpl-%s.xml" % uuid.uuid4().hex)
    src.write_text(doc)
    r = subprocess.run(["xmlsec1", "--sign", "--privkey-pem", str(key),
                        "--id-attr:Id", "%s:Body" % S11, "--id-attr:Id", "%s:Timestamp" % WSU,
                        "--id-attr:Id", "%s:To" % WSA, "--id-attr:Id", "%s:MessageID" % WSA,
                        "--id-attr:Id", "%s:BinarySecurityToken" % WSSE,
                        "--id-attr:Id", "urn:x:Wrapper", str(src)],
                       capture_output=True, check=True)
    return r.stdout


# -- hostile cases ---------------------------------------------------------------------

def zeep_envelope(invqr, pki, citizen, **kw):
    _, certs = pki
    fc, code = citizen
    key, cert = certs[kw.pop("who", "a")]
    return signed_bytes(invqr, key, cert, "VerifyLevel1", code=code, fiscalCode=fc, **kw)


def body_of(env):
    return env.find("{%s}Body" % S11)


def wrap_moved_body(env):
    """The signed Body moves into a header wrapper; a new Body asks
    something else."""
    body = body_of(env)
    header = env[0]
    wrapper = etree.SubElement(header, "{urn:x}Wrapper")
    new = copy.deepcopy(body)
    del new.attrib["{%s}Id" % WSU]
    new[0][1].text = "RSSMRA85T10A562S"
    env.remove(body)
    wrapper.append(body)
    env.append(new)


def wrap_duplicated_body(env):
    """A second Body, with the same wsu:Id, after the signed one."""
    env.append(copy.deepcopy(body_of(env)))


def wrap_reparented_body(env):
    """The signed Body goes inside a new Body carrying its wsu:Id."""
    body = body_of(env)
    outer = etree.Element("{%s}Body" % S11)
    outer.set("{%s}Id" % WSU, body.get("{%s}Id" % WSU))
    env.replace(body, outer)
    outer.append(body)


def wrap_two_timestamps(env):
    """A second Timestamp, in a Security header for another actor."""
    sec = etree.SubElement(env[0], "{%s}Security" % WSSE)
    sec.set("{%s}actor" % S11, "urn:someone-else")
    ts = copy.deepcopy(env[0].find(".//{%s}Timestamp" % WSU))
    sec.append(ts)


def wrap_edited_body(env):
    """The Body's content changes after signing: its digest no longer holds."""
    body_of(env)[0][1].text = "RSSMRA85T10A562S"


def wrap_xml_id(env):
    """An xml:id naming the Body's wsu:Id on an unsigned copy."""
    copy_ = etree.SubElement(env[0], "{urn:x}Copy")
    copy_.set("{http://www.w3.org/XML/1998/namespace}id", body_of(env).get("{%s}Id" % WSU))


@pytest.mark.parametrize("attack,expected", [
    (wrap_moved_body, "SIGNATURE_INVALID"),
    # a second Body is not a SOAP envelope at all: refused before the signature
    (wrap_duplicated_body, "BAD_REQUEST"),
    (wrap_reparented_body, "BAD_REQUEST"),
    (wrap_two_timestamps, "SIGNATURE_INVALID"),
    (wrap_edited_body, "SIGNATURE_INVALID"),
    (wrap_xml_id, "SIGNATURE_INVALID")])
def test_signature_wrapping_is_refused(invqr, pki, citizen, attack, expected):
    env, headers = zeep_envelope(invqr, pki, citizen)
    attack(env)
    r = post(invqr, env, headers)
    assert (r.status_code, code_of(r)) == (500, expected), r.text


def test_reference_to_an_unexpected_element(invqr, pki, citizen, tmp_path):
    """xmlsec1 signs a header wrapper holding a Body copy instead of the Body:
    the signature is sound, but it names something the patterns do not."""
    _, certs = pki
    fc, code = citizen
    extra = ('<x:Wrapper xmlns:x="urn:x" wsu:Id="w"><v:VerifyLevel1><v:code>%s</v:code>'
             '<v:fiscalCode>%s</v:fiscalCode></v:VerifyLevel1></x:Wrapper>' % (code, fc))
    doc = template(invqr, certs["a"][1], code, fc, refs=["w", "ts", "to", "mid"], extra=extra)
    r = post(invqr, xmlsec1_sign(tmp_path, doc, certs["a"][0]), {"Content-Type": "text/xml"})
    assert (r.status_code, code_of(r)) == (500, "SIGNATURE_INVALID"), r.text


@pytest.mark.parametrize("sig,digest", [("rsa-sha1", "sha256"), ("rsa-sha256", "sha1")])
def test_disallowed_algorithms(invqr, pki, citizen, tmp_path, sig, digest):
    _, certs = pki
    fc, code = citizen
    doc = template(invqr, certs["a"][1], code, fc, sig=sig, digest=digest)
    r = post(invqr, xmlsec1_sign(tmp_path, doc, certs["a"][0]), {"Content-Type": "text/xml"})
    assert (r.status_code, code_of(r)) == (500, "SIGNATURE_INVALID"), r.text


def test_zeep_default_sha1_is_refused(invqr, pki, citizen):
    env, headers = zeep_envelope(invqr, pki, citizen, sig=xmlsec.Transform.RSA_SHA1,
                                 digest=xmlsec.Transform.SHA1)
    assert code_of(post(invqr, env, headers)) == "SIGNATURE_INVALID"


def test_replayed_message_id(invqr, pki, citizen):
    env, headers = zeep_envelope(invqr, pki, citizen)
    body = etree.tostring(env)
    first = post(invqr, body, headers)
    assert first.status_code == 200, first.text
    again = post(invqr, body, headers)
    assert (again.status_code, code_of(again)) == (500, "REPLAYED")
    mid = env[0].find("{%s}MessageID" % WSA).text
    assert invqr.sql("SELECT expires_at > NOW() FROM soap_message_id WHERE id_hash = UNHEX(SHA2("
                     "'%s', 256))" % mid) == [("1",)]


def test_stale_timestamp(invqr, pki, citizen):
    env, headers = zeep_envelope(invqr, pki, citizen, age=600)
    assert code_of(post(invqr, env, headers)) == "SIGNATURE_INVALID"


def test_wrong_to(invqr, pki, citizen, tmp_path):
    _, certs = pki
    fc, code = citizen
    doc = template(invqr, certs["a"][1], code, fc, to="https://elsewhere.example/soap")
    r = post(invqr, xmlsec1_sign(tmp_path, doc, certs["a"][0]), {"Content-Type": "text/xml"})
    assert code_of(r) == "SIGNATURE_INVALID"


def test_unsigned_to_is_not_enough(invqr, pki, citizen):
    env, headers = zeep_envelope(invqr, pki, citizen, parts=("Body", "Timestamp"))
    assert code_of(post(invqr, env, headers)) == "SIGNATURE_INVALID"


def test_unregistered_certificate(invqr, pki, citizen):
    env, headers = zeep_envelope(invqr, pki, citizen, who="stranger")
    assert code_of(post(invqr, env, headers)) == "AUTH_FAILED"


def test_expired_certificate(invqr, pki, citizen):
    d, certs = pki
    # invqr-admin refuses it ...
    r = invqr.admin("org", "cert", "add", ORG_A, str(certs["expired"][1]))
    assert r.returncode == 1 and "expired" in r.stderr
    # ... and a row slipped into the store by hand does not make it good
    invqr.sql("INSERT INTO org_cert (fingerprint, org_id, subject, not_before, not_after) "
              "SELECT UNHEX('%s'), id, 'x', '2000-01-01', '2099-01-01' FROM organisation "
              "WHERE name = '%s'" % (fingerprint(certs["expired"][1]), ORG_A))
    env, headers = zeep_envelope(invqr, pki, citizen, who="expired")
    assert code_of(post(invqr, env, headers)) == "AUTH_FAILED"


def test_certificate_of_another_organisation(invqr, pki, citizen):
    """Organisation B's certificate naming organisation A's operator."""
    _, certs = pki
    fc, code = citizen
    key, cert = certs["b"]
    with pytest.raises(Fault) as e:
        signed_client(invqr, key, cert, operator=OPERATOR).RequestOtp(code=code, fiscalCode=fc)
    assert fault_code(e.value) == "AUTH_FAILED"


def test_level2_needs_the_operator_signed(invqr, pki, citizen):
    _, certs = pki
    fc, code = citizen
    key, cert = certs["a"]
    with pytest.raises(Fault) as e:
        signed_client(invqr, key, cert, operator=OPERATOR,
                      parts=("Body", "Timestamp", "To", "MessageID")).RequestOtp(
            code=code, fiscalCode=fc)
    assert fault_code(e.value) == "SIGNATURE_INVALID"


def test_too_many_references(invqr, pki, citizen, tmp_path):
    _, certs = pki
    fc, code = citizen
    doc = template(invqr, certs["a"][1], code, fc, refs=["body", "ts", "to", "mid"] * 3)
    src = tmp_path / "many.xml"
    src.write_text(doc)
    # xmlsec1 would sign it; invqr refuses it on its shape before any digest
    r = post(invqr, doc.encode(), {"Content-Type": "text/xml"})
    assert code_of(r) == "SIGNATURE_INVALID"


def test_deeply_nested_signature(invqr, pki, citizen):
    env, headers = zeep_envelope(invqr, pki, citizen)
    node = env.find(".//{%s}Signature" % DS)
    for _ in range(40):
        node = etree.SubElement(node, "{urn:x}deep")
    r = post(invqr, env, headers)
    assert (r.status_code, code_of(r)) == (500, "BAD_REQUEST")


def test_huge_signature(invqr, pki, citizen):
    env, headers = zeep_envelope(invqr, pki, citizen)
    env.find(".//{%s}SignatureValue" % DS).text = "QUFB" * 20000
    assert post(invqr, env, headers).status_code == 413


def test_password_tokens_can_be_switched_off(invqr, pki, citizen):
    """The legacy UsernameToken with password works until the organisation
    is switched to signed requests only."""
    from test_060_soap import client
    fc, code = citizen
    user = "firmato.legacy"
    invqr.admin("operator", "add", "--org", ORG_B, user, stdin="legacy password\n", check=0)
    ch = client(invqr, "1.1", user, "legacy password").RequestOtp(code=code, fiscalCode=fc)
    assert ch.challengeId
    invqr.admin("org", "password-tokens", ORG_B, "off", check=0)
    try:
        with pytest.raises(Fault) as e:
            client(invqr, "1.1", user, "legacy password").RequestOtp(code=code, fiscalCode=fc)
        assert fault_code(e.value) == "AUTH_FAILED"
    finally:
        invqr.admin("org", "password-tokens", ORG_B, "on", check=0)


def test_admin_cert_commands(invqr, pki):
    _, certs = pki
    fp = fingerprint(certs["b"][1])
    listed = invqr.admin("org", "cert", "list", check=0).stdout
    assert fp in listed and ORG_B in listed
    assert invqr.admin("org", "cert", "add", ORG_B, str(certs["b"][1])).returncode == 1
    assert invqr.admin("org", "cert", "remove", ORG_A, fp).returncode == 1   # not A's
    invqr.admin("org", "cert", "remove", ORG_B, fp, check=0)
    assert fp not in invqr.admin("org", "cert", "list", check=0).stdout
    invqr.admin("org", "cert", "add", ORG_B, str(certs["b"][1]), check=0)
    audit = invqr.sql("SELECT event FROM audit_log WHERE event LIKE 'org_cert_%'")
    assert ("org_cert_remove",) in audit and ("org_cert_add",) in audit
