# SPDX-License-Identifier: Apache-2.0
"""ModI trust beyond "this one certificate, sent in the message" (issue 15):
a signature's KeyInfo may name a registered certificate by its Subject Key
Identifier or by its issuer and serial (WS-Security X.509 token profile),
the message then carrying no BinarySecurityToken; and an organisation may
register a CA with the one subject it pins instead of each certificate.
Certificates and CAs are made here with openssl; messages are signed by
python3-zeep (BinarySecurityToken) and the xmlsec1 command line (the other
references)."""
import base64
import re
import subprocess

import pytest
from lxml import etree

from test_040_verify import generate, new_citizen, sign_in
from test_062_modi import code_of, make_cert, post, signed_bytes, template, xmlsec1_sign

ORG_T, ORG_U = "Comune Fiduciario", "Consorzio Estraneo"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
SKI = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
       "#X509SubjectKeyIdentifier")
B64 = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
       "#Base64Binary")


def openssl(*args, **kw):
    return subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True,
                          text=True, **kw).stdout


def make_ca(d, name):
    key, cert = d / f"{name}.key", d / f"{name}.pem"
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "60",
            "-subj", f"/CN={name}/O=invqr test CA", "-keyout", key, "-out", cert,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return key, cert


def issue(d, ca, name, subject, dates=None):
    """A leaf certificate for subject, issued by ca (optionally with fixed
    validity dates, through openssl ca)."""
    key, csr, cert = d / f"{name}.key", d / f"{name}.csr", d / f"{name}.pem"
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", subject,
            "-keyout", key, "-out", csr)
    if dates is None:
        openssl("x509", "-req", "-in", csr, "-CA", ca[1], "-CAkey", ca[0], "-CAcreateserial",
                "-days", "30", "-sha256", "-out", cert)
        return key, cert
    db = d / f"db-{name}"
    db.mkdir()
    (db / "index.txt").write_text("")
    (db / "serial").write_text("1000\n")
    (db / "ca.cnf").write_text(
        "[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\nnew_certs_dir=%s\nserial=%s/serial\n"
        "policy=p\ndefault_md=sha256\n[p]\ncommonName=supplied\norganizationName=optional\n"
        % (db, db, db))
    openssl("ca", "-batch", "-config", db / "ca.cnf", "-cert", ca[1], "-keyfile", ca[0],
            "-in", csr, "-startdate", dates[0], "-enddate", dates[1], "-out", cert)
    return key, cert


def rfc2253(cert, what):
    return openssl("x509", "-in", cert, "-noout", "-" + what, "-nameopt", "RFC2253") \
        .strip().split("=", 1)[1]


def serial_decimal(cert):
    return str(int(openssl("x509", "-in", cert, "-noout", "-serial").strip().split("=")[1], 16))


def ski_b64(cert):
    out = openssl("x509", "-in", cert, "-noout", "-ext", "subjectKeyIdentifier")
    hexa = re.search(r"([0-9A-F]{2}(?::[0-9A-F]{2})+)", out).group(1).replace(":", "")
    return base64.b64encode(bytes.fromhex(hexa)).decode()


@pytest.fixture(scope="module")
def trust(invqr, tmp_path_factory):
    d = tmp_path_factory.mktemp("trust")
    ca, other_ca = make_ca(d, "ente-ca"), make_ca(d, "other-ca")
    subject = "/CN=Sportello Uno/O=Comune Fiduciario"
    certs = {
        "direct": make_cert(d, "direct-t"),
        "leaf": issue(d, ca, "leaf", subject),
        "sibling": issue(d, ca, "sibling", "/CN=Sportello Due/O=Comune Fiduciario"),
        "expired": issue(d, ca, "expired", subject, ("20200101000000Z", "20200201000000Z")),
        "foreign": issue(d, other_ca, "foreign", subject),
        "unregistered": make_cert(d, "unregistered-t"),
    }
    for org in (ORG_T, ORG_U):
        invqr.admin("org", "add", org, check=0)
    invqr.admin("org", "cert", "add", ORG_T, str(certs["direct"][1]), check=0)
    pinned = rfc2253(certs["leaf"][1], "subject")
    invqr.admin("org", "ca", "add", ORG_T, str(ca[1]), pinned, check=0)
    # the other CA is registered too, by another organisation, pinning
    # another subject: its leaf with our subject must not pass as ours
    invqr.admin("org", "ca", "add", ORG_U, str(other_ca[1]), "O=Consorzio Estraneo,CN=X", check=0)
    return d, certs, ca, pinned


@pytest.fixture
def citizen(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path, pct="74", judgment="Fiducia")
    return fc, generate(invqr, sign_in(invqr, fc))


def referenced(invqr, cert, code, fc, str_body):
    """A template whose KeyInfo names the certificate with str_body instead
    of a BinarySecurityToken, which the message then does not carry."""
    doc = template(invqr, cert, code, fc)
    doc, n = re.subn(r"<wsse:BinarySecurityToken .*?</wsse:BinarySecurityToken>", "", doc)
    assert n == 1
    doc, n = re.subn(r'<wsse:Reference URI="#x509" ValueType="[^"]*"/>', str_body, doc)
    assert n == 1
    return doc


def by_ski(cert):
    return '<wsse:KeyIdentifier ValueType="%s" EncodingType="%s">%s</wsse:KeyIdentifier>' % (
        SKI, B64, ski_b64(cert))


def by_issuer_serial(issuer, serial):
    return ("<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>%s</ds:X509IssuerName>"
            "<ds:X509SerialNumber>%s</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>"
            % (issuer, serial))


# -- KeyInfo by Subject Key Identifier, by issuer and serial -----------------------

def test_key_identifier_names_a_registered_certificate(invqr, trust, citizen, tmp_path):
    _, certs, _, _ = trust
    fc, code = citizen
    key, cert = certs["direct"]
    r = post(invqr, xmlsec1_sign(tmp_path, referenced(invqr, cert, code, fc, by_ski(cert)), key),
             {"Content-Type": "text/xml"})
    assert r.status_code == 200 and "VerifyLevel1Response" in r.text, r.text


@pytest.mark.parametrize("spacing", ["as printed", "with blanks"])
def test_issuer_serial_names_a_registered_certificate(invqr, trust, citizen, tmp_path, spacing):
    _, certs, _, _ = trust
    fc, code = citizen
    key, cert = certs["direct"]
    issuer = rfc2253(cert, "issuer")
    if spacing == "with blanks":       # how Java's X500Principal prints it
        issuer = issuer.replace(",", ", ")
    doc = referenced(invqr, cert, code, fc, by_issuer_serial(issuer, serial_decimal(cert)))
    r = post(invqr, xmlsec1_sign(tmp_path, doc, key), {"Content-Type": "text/xml"})
    assert r.status_code == 200 and "VerifyLevel1Response" in r.text, r.text


@pytest.mark.allow_log(r"INVQR0218: signed SOAP request by a certificate not registered")
@pytest.mark.parametrize("case", ["unregistered ski", "wrong serial", "wrong issuer"])
def test_references_to_unregistered_certificates(invqr, trust, citizen, tmp_path, case):
    _, certs, _, _ = trust
    fc, code = citizen
    if case == "unregistered ski":
        key, cert = certs["unregistered"]
        ref = by_ski(cert)
    else:
        key, cert = certs["direct"]
        issuer, serial = rfc2253(cert, "issuer"), serial_decimal(cert)
        ref = by_issuer_serial(issuer, str(int(serial) + 1)) if case == "wrong serial" \
            else by_issuer_serial("CN=someone else,O=invqr tests", serial)
    doc = referenced(invqr, cert, code, fc, ref)
    r = post(invqr, xmlsec1_sign(tmp_path, doc, key), {"Content-Type": "text/xml"})
    assert (r.status_code, code_of(r)) == (500, "AUTH_FAILED"), r.text


@pytest.mark.allow_log(r"INVQR0215: signed SOAP request refused")
def test_a_token_the_signature_does_not_use_is_refused(invqr, trust, citizen, tmp_path):
    """A BinarySecurityToken next to a KeyIdentifier: which certificate
    signed would be ambiguous."""
    _, certs, _, _ = trust
    fc, code = citizen
    key, cert = certs["direct"]
    doc = template(invqr, cert, code, fc)
    doc = re.sub(r'<wsse:Reference URI="#x509" ValueType="[^"]*"/>', by_ski(cert), doc)
    r = post(invqr, xmlsec1_sign(tmp_path, doc, key), {"Content-Type": "text/xml"})
    assert (r.status_code, code_of(r)) == (500, "SIGNATURE_INVALID"), r.text


@pytest.mark.allow_log(r"INVQR0219: signed SOAP request refused")
def test_a_reference_does_not_lend_its_certificate_to_another_key(invqr, trust, citizen,
                                                                   tmp_path):
    """The KeyIdentifier names the registered certificate; the message is
    signed by another key: the signature is checked with the registered one."""
    _, certs, _, _ = trust
    fc, code = citizen
    doc = referenced(invqr, certs["direct"][1], code, fc, by_ski(certs["direct"][1]))
    r = post(invqr, xmlsec1_sign(tmp_path, doc, certs["unregistered"][0]),
             {"Content-Type": "text/xml"})
    assert (r.status_code, code_of(r)) == (500, "SIGNATURE_INVALID"), r.text


# -- a CA with a pinned subject ------------------------------------------------------

def send_zeep(invqr, pair, citizen):
    fc, code = citizen
    env, headers = signed_bytes(invqr, pair[0], pair[1], code=code, fiscalCode=fc)
    return post(invqr, etree.tostring(env), headers)


def test_a_certificate_of_the_registered_ca_with_the_pinned_subject(invqr, trust, citizen):
    _, certs, _, _ = trust
    org = invqr.sql("SELECT id FROM organisation WHERE name = '%s'" % ORG_T)[0][0]
    mark = invqr.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]
    r = send_zeep(invqr, certs["leaf"], citizen)
    assert r.status_code == 200 and "VerifyLevel1Response" in r.text, r.text
    assert invqr.sql("SELECT org_id FROM audit_log WHERE id > %s AND event = 'verify'"
                     % mark) == [(org,)]


@pytest.mark.allow_log(r"INVQR0218: signed SOAP request by a certificate not registered")
@pytest.mark.parametrize("which", ["sibling", "expired", "foreign"])
def test_other_certificates_of_or_like_the_ca_are_refused(invqr, trust, citizen, which):
    """Another subject of the same CA; the pinned subject, expired; the
    pinned subject from another CA (registered by another organisation)."""
    _, certs, _, _ = trust
    r = send_zeep(invqr, certs[which], citizen)
    assert (r.status_code, code_of(r)) == (500, "AUTH_FAILED"), r.text


def test_admin_ca_commands(invqr, trust):
    d, certs, ca, pinned = trust
    listed = invqr.admin("org", "ca", "list", check=0).stdout
    assert pinned in listed and ORG_T in listed
    # a leaf is not a CA
    r = invqr.admin("org", "ca", "add", ORG_T, str(certs["leaf"][1]), "CN=x")
    assert r.returncode == 1 and "not a CA" in r.stderr
    assert invqr.admin("org", "ca", "add", ORG_T, str(ca[1]), pinned).returncode == 1  # twice
    extra = "CN=Sportello Tre,O=Comune Fiduciario"
    out = invqr.admin("org", "ca", "add", ORG_T, str(ca[1]), extra, check=0).stdout
    pin_id = re.search(r"added (\d+)", out).group(1)
    assert invqr.admin("org", "ca", "remove", ORG_U, pin_id).returncode == 1     # not U's
    invqr.admin("org", "ca", "remove", ORG_T, pin_id, check=0)
    assert extra not in invqr.admin("org", "ca", "list", check=0).stdout


def test_a_renewed_certificate_with_the_same_key_is_found_by_its_ski(invqr, trust, citizen,
                                                                     tmp_path):
    """Renewal may keep the key pair, and so the SKI: of the two registered
    certificates with that SKI the current one is used."""
    d, _, _, _ = trust
    fc, code = citizen
    key = tmp_path / "renewed.key"
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key)
    # two certificates of the same key; the store lists rows of one SKI by
    # fingerprint, so the one whose fingerprint sorts first plays the old
    # one, and only choosing the current certificate can pass. (Drawing old
    # ones until one sorted before a given new one failed now and then: a
    # new one whose fingerprint began 00:0... left little room below it.)
    fp = lambda c: openssl("x509", "-in", c, "-noout", "-fingerprint", "-sha256")  # noqa: E731
    pair = []
    for name in ("renewed-a.pem", "renewed-b.pem"):
        openssl("req", "-x509", "-key", key, "-sha256", "-days", "30", "-subj",
                "/CN=renewed/O=invqr tests", "-out", tmp_path / name)
        pair.append(tmp_path / name)
    old, new = sorted(pair, key=lambda c: fp(c).split("=")[1])
    assert fp(old).split("=")[1] < fp(new).split("=")[1]
    invqr.admin("org", "cert", "add", ORG_T, str(new), check=0)
    invqr.admin("org", "cert", "add", ORG_T, str(old), check=0)
    assert ski_b64(new) == ski_b64(old)
    # the old one has expired since (as a row could say): moved into the past
    der = "".join(openssl("x509", "-in", old).splitlines()[1:-1])
    invqr.sql("UPDATE org_cert SET not_before = '2020-01-01', not_after = '2020-02-01' "
              "WHERE der_b64 = '%s'" % der)
    doc = referenced(invqr, new, code, fc, by_ski(new))
    r = post(invqr, xmlsec1_sign(tmp_path, doc, key), {"Content-Type": "text/xml"})
    assert r.status_code == 200 and "VerifyLevel1Response" in r.text, r.text
