#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Signed SOAP VerifyLevel1 requests for script/bench: one per "CODE FISCAL_CODE"
line of CODES, signed as ModI's ID_AUTH_SOAP_01 + INTEGRITY_SOAP_01 (Timestamp,
wsa:To and Body; no wsa:MessageID, so wrk may send each body more than once
while its Timestamp lasts, 5 minutes) with RSA-SHA256 and SHA-256 digests, the
usual choice of PA signers. Written to OUT separated by the byte 0x1e.

Usage: modi_sign.py KEY.pem CERT.pem PUBLIC_BASE_URL CODES OUT"""
import base64
import datetime
import ssl
import sys
import uuid

import xmlsec
from lxml import etree

S11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSA = "http://www.w3.org/2005/08/addressing"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
B64 = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
       "#Base64Binary")

key_file, cert_file, base, codes_file, out_file = sys.argv[1:6]
key = xmlsec.Key.from_file(key_file, xmlsec.KeyFormat.PEM)
der = ssl.PEM_cert_to_DER_cert(open(cert_file).read())
now = datetime.datetime.now(datetime.timezone.utc)
created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
expires = (now + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")

bodies = []
for line in open(codes_file):
    parts = line.split()
    if len(parts) != 2:
        continue
    code, fc = parts
    env = etree.fromstring(
        '<soap:Envelope xmlns:soap="%s" xmlns:wsu="%s" xmlns:wsse="%s" xmlns:wsa="%s" '
        'xmlns:v="urn:invqr:verify:1"><soap:Header><wsa:To wsu:Id="to">%s/soap</wsa:To>'
        '<wsse:Security><wsu:Timestamp wsu:Id="ts"><wsu:Created>%s</wsu:Created>'
        '<wsu:Expires>%s</wsu:Expires></wsu:Timestamp><wsse:BinarySecurityToken wsu:Id="x509" '
        'ValueType="%s" EncodingType="%s">%s</wsse:BinarySecurityToken></wsse:Security>'
        '</soap:Header><soap:Body wsu:Id="body"><v:VerifyLevel1><v:code>%s</v:code>'
        '<v:fiscalCode>%s</v:fiscalCode></v:VerifyLevel1></soap:Body></soap:Envelope>'
        % (S11, WSU, WSSE, WSA, base, created, expires, X509V3, B64,
           base64.b64encode(der).decode(), code, fc))
    security = env.find(".//{%s}Security" % WSSE)
    sig = xmlsec.template.create(env, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256)
    security.append(sig)
    ctx = xmlsec.SignatureContext()
    ctx.key = key
    for el in (env.find("{%s}Body" % S11), security.find("{%s}Timestamp" % WSU),
               env.find(".//{%s}To" % WSA), security.find("{%s}BinarySecurityToken" % WSSE)):
        ctx.register_id(el, "Id", WSU)
    for ref_id in ("body", "ts", "to"):
        ref = xmlsec.template.add_reference(sig, xmlsec.Transform.SHA256, uri="#" + ref_id)
        xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
    ki = xmlsec.template.ensure_key_info(sig)
    str_ = etree.SubElement(ki, "{%s}SecurityTokenReference" % WSSE)
    etree.SubElement(str_, "{%s}Reference" % WSSE, URI="#x509", ValueType=X509V3)
    ctx.sign(sig)
    bodies.append(etree.tostring(env))

with open(out_file, "wb") as f:
    f.write(b"\x1e".join(bodies))
print("BENCH_SIGNED %d" % len(bodies))
