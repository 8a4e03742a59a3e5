# SPDX-License-Identifier: Apache-2.0
"""A PHP integrator (issue 15): Debian's php-cli + php-soap SoapClient,
signing as ModI ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01 with DOM's exclusive
C14N and openssl_sign() (modi_client.php; xmlseclibs is not in Debian) and
sending a PDND voucher, runs every operation; the same client with another
organisation's voucher is refused."""
import json
import subprocess
from pathlib import Path

import pytest

from pdnd_voucher import PURPOSE_Q, make_voucher
from test_040_verify import generate, new_citizen, sign_in
from test_060_soap import new_otp, spool_names
from test_062_modi import make_cert

ORG = "Comune in PHP"
OPERATOR = "php.sportello1"
PURPOSE = "7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6"
CLIENT = Path(__file__).resolve().parent / "modi_client.php"


@pytest.fixture(scope="module")
def php_org(invqr, tmp_path_factory):
    d = tmp_path_factory.mktemp("php")
    key, cert = make_cert(d, "php-client")
    invqr.admin("org", "add", ORG, check=0)
    invqr.admin("org", "cert", "add", ORG, str(cert), check=0)
    invqr.admin("org", "purpose", "add", ORG, PURPOSE, check=0)
    invqr.admin("operator", "add", "--org", ORG, OPERATOR, stdin="php operator password\n",
                check=0)
    return key, cert


def php(invqr, key, cert, op, args, voucher=None, operator=None):
    r = subprocess.run(["php", str(CLIENT), invqr.url, str(key), str(cert), voucher or "-",
                        operator or "-", op, json.dumps(args)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_php_soapclient_signs_and_sends_a_voucher(invqr, php_org, tmp_path):
    key, cert = php_org
    fc, _ = new_citizen(invqr, tmp_path, surname="Firmato", given="Php", pct="90")
    code = generate(invqr, sign_in(invqr, fc))
    org = invqr.sql("SELECT id FROM organisation WHERE name = '%s'" % ORG)[0][0]
    mark = invqr.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]

    res = php(invqr, key, cert, "VerifyLevel1", {"code": code, "fiscalCode": fc},
              voucher=make_voucher(invqr, purposeId=PURPOSE))
    assert res.get("name") == "Php Firmato" and res["civilInvalidity"] is True, res
    before = spool_names(invqr)
    ch = php(invqr, key, cert, "RequestOtp", {"code": code, "fiscalCode": fc},
             voucher=make_voucher(invqr, purposeId=PURPOSE), operator=OPERATOR)
    assert "challengeId" in ch, ch
    res = php(invqr, key, cert, "VerifyLevel2",
              {"challengeId": ch["challengeId"], "otp": new_otp(invqr, before)},
              voucher=make_voucher(invqr, purposeId=PURPOSE), operator=OPERATOR)
    assert res.get("invalidityPercent") == 90, res
    assert invqr.sql("SELECT COUNT(*) FROM audit_log WHERE id > %s AND org_id = %s AND event = "
                     "'login' AND outcome = 'ok' AND detail = 'soap-modi'" % (mark, org)) \
        == [("2",)]


@pytest.mark.allow_log(r"INVQR0227: PDND voucher of another organisation")
def test_php_with_another_organisations_voucher(invqr, php_org, tmp_path):
    key, cert = php_org
    fc, _ = new_citizen(invqr, tmp_path, surname="Altrui", given="Php")
    code = generate(invqr, sign_in(invqr, fc))
    invqr.admin("org", "add", "Ente del Voucher Q", check=None)
    invqr.admin("org", "purpose", "add", "Ente del Voucher Q", PURPOSE_Q, check=None)
    res = php(invqr, key, cert, "VerifyLevel1", {"code": code, "fiscalCode": fc},
              voucher=make_voucher(invqr, purposeId=PURPOSE_Q))
    assert "AUTH_FAILED" in res.get("detail", ""), res
