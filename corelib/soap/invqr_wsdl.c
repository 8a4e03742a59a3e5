/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the WSDL of the SOAP API (served at GET /soap?wsdl).
 *
 * The document is constant text, kept here as it will be read by
 * integrators, except for the service address, which is checked (an
 * absolute http(s) URL of UTF-8 text without controls) and escaped for a
 * double-quoted attribute before it is pasted into both ports. Names,
 * namespace, SOAPAction URIs and limits come from invqr_soap.h and
 * invqr_wssec.h, so the parser and the description cannot drift apart
 * silently; test_wsdl compiles the embedded schema and test_soap validates
 * every answer against it.
 */
#include <string.h>

#include <apr_strings.h>

#include "invqr_soap.h"
#include "invqr_utf8.h"
#include "invqr_wsdl.h"
#include "invqr_wssec.h"

#define S_(x) #x
#define S(x) S_(x)

/* A restricted xs:string of 1..max characters. */
#define STRING_TYPE(name, max)                                              \
    "      <xs:simpleType name=\"" name "\">\n"                             \
    "        <xs:restriction base=\"xs:string\">\n"                         \
    "          <xs:minLength value=\"1\"/>\n"                                \
    "          <xs:maxLength value=\"" S(max) "\"/>\n"                       \
    "        </xs:restriction>\n"                                            \
    "      </xs:simpleType>\n"

/* A request element of two parameters. */
#define REQUEST_ELEMENT(name, doc, p1, t1, p2, t2)                          \
    "      <xs:element name=\"" name "\">\n"                                 \
    "        <xs:annotation><xs:documentation>" doc                          \
    "</xs:documentation></xs:annotation>\n"                                  \
    "        <xs:complexType>\n"                                             \
    "          <xs:sequence>\n"                                              \
    "            <xs:element name=\"" p1 "\" type=\"tns:" t1 "\"/>\n"        \
    "            <xs:element name=\"" p2 "\" type=\"tns:" t2 "\"/>\n"        \
    "          </xs:sequence>\n"                                             \
    "        </xs:complexType>\n"                                            \
    "      </xs:element>\n"

#define MESSAGES(op)                                                         \
    "  <wsdl:message name=\"" op "Request\">\n"                              \
    "    <wsdl:part name=\"parameters\" element=\"tns:" op "\"/>\n"          \
    "  </wsdl:message>\n"                                                    \
    "  <wsdl:message name=\"" op "Response\">\n"                             \
    "    <wsdl:part name=\"parameters\" element=\"tns:" op "Response\"/>\n"  \
    "  </wsdl:message>\n"

#define PORT_OPERATION(op, doc)                                              \
    "    <wsdl:operation name=\"" op "\">\n"                                 \
    "      <wsdl:documentation>" doc "</wsdl:documentation>\n"               \
    "      <wsdl:input message=\"tns:" op "Request\"/>\n"                    \
    "      <wsdl:output message=\"tns:" op "Response\"/>\n"                  \
    "      <wsdl:fault name=\"Fault\" message=\"tns:FaultMessage\"/>\n"      \
    "    </wsdl:operation>\n"

/* One binding operation; soap is "soap" or "soap12", extra attributes of
 * soap:operation in more. */
#define BINDING_OPERATION(soap, op, action, more)                            \
    "    <wsdl:operation name=\"" op "\">\n"                                 \
    "      <" soap ":operation soapAction=\"" action "\" style=\"document\"" \
    more "/>\n"                                                              \
    "      <wsdl:input><" soap ":body use=\"literal\"/></wsdl:input>\n"      \
    "      <wsdl:output><" soap ":body use=\"literal\"/></wsdl:output>\n"    \
    "      <wsdl:fault name=\"Fault\"><" soap                                \
    ":fault name=\"Fault\" use=\"literal\"/></wsdl:fault>\n"                 \
    "    </wsdl:operation>\n"

#define BINDING_OPERATIONS(soap, more)                                          \
    BINDING_OPERATION(soap, "VerifyLevel1", INVQR_SOAP_ACTION_LEVEL1, more)    \
    BINDING_OPERATION(soap, "RequestOtp", INVQR_SOAP_ACTION_OTP, more)         \
    BINDING_OPERATION(soap, "VerifyLevel2", INVQR_SOAP_ACTION_LEVEL2, more)

#define WSSEC_DOC                                                               \
    "Requires WS-Security (OASIS WSS 1.0, UsernameToken Profile 1.0): a "       \
    "wsse:Security header block (xmlns:wsse=\"" INVQR_WSSE_NS "\") holding one "  \
    "wsse:UsernameToken with the operator's wsse:Username and wsse:Password. "  \
    "The password is sent with Type #PasswordText, over HTTPS only; a "         \
    "#PasswordDigest, Base64(SHA-1(nonce + created + password)), needs "        \
    "wsse:Nonce (EncodingType #Base64Binary) and wsu:Created (xmlns:wsu=\""     \
    INVQR_WSU_NS "\", UTC, at most " S(INVQR_WSSEC_DEFAULT_SKEW) " seconds "    \
    "old); each nonce is accepted once. Missing or wrong credentials give the " \
    "fault code AUTH_FAILED."

/* The AgID ModI policy for signed requests (invqr_modi.h, docs/soap.md). */
#define MODI_DOC                                                                \
    "Signed requests follow AgID's interoperability model (ModI) patterns "     \
    "ID_AUTH_SOAP_01, ID_AUTH_SOAP_02 and INTEGRITY_SOAP_01 (WS-Security 1.1, "  \
    "X.509 Token Profile): the wsse:Security header holds one "                 \
    "wsse:BinarySecurityToken (#X509v3) of a certificate registered for the "    \
    "organisation (or issued by a CA it registered, with a pinned subject), "    \
    "named by the signature's KeyInfo through a "                               \
    "wsse:SecurityTokenReference - or no token and a KeyIdentifier "             \
    "(#X509SubjectKeyIdentifier) or ds:X509IssuerSerial naming a registered "    \
    "certificate -, one wsu:Timestamp (Created at most 300 "                     \
    "seconds old, Expires, 60 seconds of clock skew) and one ds:Signature "      \
    "whose References (URI=\"#wsu:Id\") cover wsu:Timestamp, wsa:To (this "      \
    "service's address; xmlns:wsa=\"http://www.w3.org/2005/08/addressing\") "    \
    "and wsa:MessageID when sent (accepted once); RequestOtp and VerifyLevel2 "  \
    "also need the Body, wsa:MessageID and a wsse:UsernameToken naming the "     \
    "operator without password covered. Algorithms: RSA-SHA256/384/512 or "      \
    "ECDSA-SHA256/384/512, SHA-256/384/512 digests, exclusive C14N, C14N 1.0 "   \
    "or 1.1. Faults: SIGNATURE_INVALID, REPLAYED, AUTH_FAILED. A PDND "          \
    "Interoperabilita voucher (RS256 JWT, typ at+jwt) may come in the HTTP "     \
    "header Authorization: Bearer; its purposeId names the organisation, which " \
    "may require one; a voucher is accepted once."

static const char wsdl_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<wsdl:definitions name=\"InvQRVerify\"\n"
    "    targetNamespace=\"" INVQR_SOAP_NS "\"\n"
    "    xmlns:tns=\"" INVQR_SOAP_NS "\"\n"
    "    xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\"\n"
    "    xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\"\n"
    "    xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\"\n"
    "    xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
    "  <wsdl:documentation>invqr: verification of the attestation of civil-invalidity "
    "status (QR code). VerifyLevel1 shows the first level to anyone holding the code "
    "and the holder's fiscal code; RequestOtp and VerifyLevel2 show an authenticated "
    "operator the second level, with the holder's consent given by a one-time password "
    "sent to the holder by SMS. Errors are SOAP faults whose detail carries "
    "tns:FaultDetail with one machine code; every fault is sent with HTTP status "
    "500. " MODI_DOC "</wsdl:documentation>\n"
    "  <wsdl:types>\n"
    "    <xs:schema targetNamespace=\"" INVQR_SOAP_NS "\"\n"
    "        xmlns:tns=\"" INVQR_SOAP_NS "\"\n"
    "        xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"\n"
    "        elementFormDefault=\"qualified\" attributeFormDefault=\"unqualified\">\n"
    STRING_TYPE("Code", INVQR_SOAP_MAX_CODE)
    STRING_TYPE("FiscalCode", INVQR_SOAP_MAX_FISCAL_CODE)
    STRING_TYPE("ChallengeId", INVQR_SOAP_MAX_CHALLENGE_ID)
    STRING_TYPE("Otp", INVQR_SOAP_MAX_OTP)
    STRING_TYPE("MaskedMobile", INVQR_SOAP_MAX_MASKED_MOBILE)
    /* given name and surname, 100 characters each, and a space */
    STRING_TYPE("Name", 201)
    "      <xs:simpleType name=\"MedicalJudgment\">\n"
    "        <xs:restriction base=\"xs:string\">\n"
    "          <xs:maxLength value=\"" S(INVQR_JUDGMENT_MAX_BYTES) "\"/>\n"
    "        </xs:restriction>\n"
    "      </xs:simpleType>\n"
    "      <xs:simpleType name=\"Handicap\">\n"
    "        <xs:annotation><xs:documentation>Law 104/1992: NONE, art. 3 comma 1 "
    "(ART3_C1) or art. 3 comma 3, severe (ART3_C3).</xs:documentation></xs:annotation>\n"
    "        <xs:restriction base=\"xs:string\">\n"
    "          <xs:enumeration value=\"NONE\"/>\n"
    "          <xs:enumeration value=\"ART3_C1\"/>\n"
    "          <xs:enumeration value=\"ART3_C3\"/>\n"
    "        </xs:restriction>\n"
    "      </xs:simpleType>\n"
    "      <xs:simpleType name=\"BlindnessDegree\">\n"
    "        <xs:annotation><xs:documentation>Civil blindness: NONE, PARTIAL "
    "(ventesimista) or ABSOLUTE.</xs:documentation></xs:annotation>\n"
    "        <xs:restriction base=\"xs:string\">\n"
    "          <xs:enumeration value=\"NONE\"/>\n"
    "          <xs:enumeration value=\"PARTIAL\"/>\n"
    "          <xs:enumeration value=\"ABSOLUTE\"/>\n"
    "        </xs:restriction>\n"
    "      </xs:simpleType>\n"
    "      <xs:simpleType name=\"InvalidityPercent\">\n"
    "        <xs:restriction base=\"xs:int\">\n"
    "          <xs:minInclusive value=\"0\"/>\n"
    "          <xs:maxInclusive value=\"100\"/>\n"
    "        </xs:restriction>\n"
    "      </xs:simpleType>\n"
    "      <xs:simpleType name=\"FaultCode\">\n"
    "        <xs:restriction base=\"xs:string\">\n"
    "          <xs:enumeration value=\"BAD_REQUEST\"/>\n"
    "          <xs:enumeration value=\"UNKNOWN_CODE\"/>\n"
    "          <xs:enumeration value=\"REVOKED_CODE\"/>\n"
    "          <xs:enumeration value=\"FISCAL_CODE_MISMATCH\"/>\n"
    "          <xs:enumeration value=\"RATE_LIMITED\"/>\n"
    "          <xs:enumeration value=\"AUTH_FAILED\"/>\n"
    "          <xs:enumeration value=\"NO_MOBILE\"/>\n"
    "          <xs:enumeration value=\"OTP_INVALID\"/>\n"
    "          <xs:enumeration value=\"OTP_EXPIRED\"/>\n"
    "          <xs:enumeration value=\"UNAVAILABLE\"/>\n"
    "          <xs:enumeration value=\"SIGNATURE_INVALID\"/>\n"
    "          <xs:enumeration value=\"REPLAYED\"/>\n"
    "        </xs:restriction>\n"
    "      </xs:simpleType>\n"
    "      <xs:complexType name=\"Level1Result\">\n"
    "        <xs:sequence>\n"
    "          <xs:element name=\"name\" type=\"tns:Name\"/>\n"
    "          <xs:element name=\"civilInvalidity\" type=\"xs:boolean\">\n"
    "            <xs:annotation><xs:documentation>Adult civil invalid, 34% or more."
    "</xs:documentation></xs:annotation>\n"
    "          </xs:element>\n"
    "          <xs:element name=\"minorInvalidity\" type=\"xs:boolean\">\n"
    "            <xs:annotation><xs:documentation>Minor with persistent difficulties in "
    "the tasks of their age.</xs:documentation></xs:annotation>\n"
    "          </xs:element>\n"
    "          <xs:element name=\"attendanceAllowance\" type=\"xs:boolean\">\n"
    "            <xs:annotation><xs:documentation>Holder of the indennit\xc3\xa0 di "
    "accompagnamento.</xs:documentation></xs:annotation>\n"
    "          </xs:element>\n"
    "          <xs:element name=\"civilBlindness\" type=\"xs:boolean\">\n"
    "            <xs:annotation><xs:documentation>Civil blindness, partial or absolute."
    "</xs:documentation></xs:annotation>\n"
    "          </xs:element>\n"
    "          <xs:element name=\"deafness\" type=\"xs:boolean\"/>\n"
    "          <xs:element name=\"handicap\" type=\"tns:Handicap\"/>\n"
    "        </xs:sequence>\n"
    "      </xs:complexType>\n"
    "      <xs:complexType name=\"Level2Result\">\n"
    "        <xs:complexContent>\n"
    "          <xs:extension base=\"tns:Level1Result\">\n"
    "            <xs:sequence>\n"
    "              <xs:element name=\"medicalJudgment\" type=\"tns:MedicalJudgment\"/>\n"
    "              <xs:element name=\"invalidityPercent\" type=\"tns:InvalidityPercent\" "
    "nillable=\"true\">\n"
    "                <xs:annotation><xs:documentation>Nil when the judgment gives no "
    "percentage.</xs:documentation></xs:annotation>\n"
    "              </xs:element>\n"
    "              <xs:element name=\"blindnessDegree\" type=\"tns:BlindnessDegree\"/>\n"
    "              <xs:element name=\"judgmentDate\" type=\"xs:date\"/>\n"
    "              <xs:element name=\"reviewDate\" type=\"xs:date\" minOccurs=\"0\">\n"
    "                <xs:annotation><xs:documentation>Absent when no review is scheduled; "
    "the status holds until the review's outcome is recorded.</xs:documentation>"
    "</xs:annotation>\n"
    "              </xs:element>\n"
    "            </xs:sequence>\n"
    "          </xs:extension>\n"
    "        </xs:complexContent>\n"
    "      </xs:complexType>\n"
    REQUEST_ELEMENT("VerifyLevel1", "The code read from the QR (or typed) and the "
                    "holder's fiscal code.", "code", "Code", "fiscalCode", "FiscalCode")
    "      <xs:element name=\"VerifyLevel1Response\" type=\"tns:Level1Result\"/>\n"
    REQUEST_ELEMENT("RequestOtp", "The code and the holder's fiscal code, as for "
                    "VerifyLevel1.", "code", "Code", "fiscalCode", "FiscalCode")
    "      <xs:element name=\"RequestOtpResponse\">\n"
    "        <xs:complexType>\n"
    "          <xs:sequence>\n"
    "            <xs:element name=\"challengeId\" type=\"tns:ChallengeId\"/>\n"
    "            <xs:element name=\"expiresAt\" type=\"xs:dateTime\"/>\n"
    "            <xs:element name=\"maskedMobile\" type=\"tns:MaskedMobile\"/>\n"
    "          </xs:sequence>\n"
    "        </xs:complexType>\n"
    "      </xs:element>\n"
    REQUEST_ELEMENT("VerifyLevel2", "The challengeId from RequestOtp and the "
                    "one-time password the holder read out.", "challengeId",
                    "ChallengeId", "otp", "Otp")
    "      <xs:element name=\"VerifyLevel2Response\" type=\"tns:Level2Result\"/>\n"
    "      <xs:element name=\"FaultDetail\">\n"
    "        <xs:complexType>\n"
    "          <xs:sequence>\n"
    "            <xs:element name=\"code\" type=\"tns:FaultCode\"/>\n"
    "          </xs:sequence>\n"
    "        </xs:complexType>\n"
    "      </xs:element>\n"
    "    </xs:schema>\n"
    "  </wsdl:types>\n"
    MESSAGES("VerifyLevel1")
    MESSAGES("RequestOtp")
    MESSAGES("VerifyLevel2")
    "  <wsdl:message name=\"FaultMessage\">\n"
    "    <wsdl:part name=\"detail\" element=\"tns:FaultDetail\"/>\n"
    "  </wsdl:message>\n"
    "  <wsdl:portType name=\"InvQRVerifyPortType\">\n"
    PORT_OPERATION("VerifyLevel1", "First level: the holder's name and, as yes/no, civil "
                   "invalidity, minor invalidity, attendance allowance, civil blindness, "
                   "deafness, and the handicap. Faults: BAD_REQUEST, UNKNOWN_CODE, "
                   "REVOKED_CODE, FISCAL_CODE_MISMATCH, RATE_LIMITED, UNAVAILABLE.")
    PORT_OPERATION("RequestOtp", "Checks code and fiscal code as VerifyLevel1 does, then "
                   "sends the holder a one-time password (6 digits, valid 5 minutes, 3 "
                   "attempts) by SMS naming the operator's organisation. " WSSEC_DOC
                   " Other faults: BAD_REQUEST, UNKNOWN_CODE, REVOKED_CODE, "
                   "FISCAL_CODE_MISMATCH, RATE_LIMITED, NO_MOBILE, UNAVAILABLE.")
    PORT_OPERATION("VerifyLevel2", "Second level, for the operator who asked for the "
                   "challenge: the first-level fields and the medical judgment, the "
                   "invalidity percentage, the degree of blindness, the date of the "
                   "judgment and of the review. " WSSEC_DOC " Other faults: BAD_REQUEST, "
                   "OTP_INVALID, OTP_EXPIRED, RATE_LIMITED, UNAVAILABLE.")
    "  </wsdl:portType>\n"
    "  <wsdl:binding name=\"InvQRVerifySoap11Binding\" type=\"tns:InvQRVerifyPortType\">\n"
    "    <soap:binding style=\"document\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n"
    BINDING_OPERATIONS("soap", "")
    "  </wsdl:binding>\n"
    "  <wsdl:binding name=\"InvQRVerifySoap12Binding\" type=\"tns:InvQRVerifyPortType\">\n"
    "    <soap12:binding style=\"document\" "
    "transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n"
    BINDING_OPERATIONS("soap12", " soapActionRequired=\"false\"")
    "  </wsdl:binding>\n"
    "  <wsdl:service name=\"InvQRVerifyService\">\n"
    "    <wsdl:port name=\"InvQRVerifySoap11Port\" binding=\"tns:InvQRVerifySoap11Binding\">\n"
    "      <soap:address location=\"";

static const char wsdl_middle[] =
    "\"/>\n"
    "    </wsdl:port>\n"
    "    <wsdl:port name=\"InvQRVerifySoap12Port\" binding=\"tns:InvQRVerifySoap12Binding\">\n"
    "      <soap12:address location=\"";

static const char wsdl_tail[] =
    "\"/>\n"
    "    </wsdl:port>\n"
    "  </wsdl:service>\n"
    "</wsdl:definitions>\n";

/* Escape s for a double-quoted XML attribute, into p. */
static char *escape_attr(const char *s, apr_size_t len, apr_pool_t *p)
{
    apr_size_t i, n = 0;
    char *out, *o;

    for (i = 0; i < len; i++) {
        switch (s[i]) {
        case '&':
            n += 5;
            break;
        case '<':
        case '>':
            n += 4;
            break;
        case '"':
            n += 6;
            break;
        default:
            n++;
        }
    }
    out = apr_palloc(p, n + 1);
    if (out == NULL) {
        return NULL;
    }
    o = out;
    for (i = 0; i < len; i++) {
        const char *rep = NULL;

        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        default:
            *o++ = s[i];
            continue;
        }
        memcpy(o, rep, strlen(rep));
        o += strlen(rep);
    }
    *o = '\0';
    return out;
}

const char *invqr_wsdl(const char *service_url, apr_pool_t *p)
{
    const char *result = NULL;
    char *esc;
    apr_size_t len, i;

    if (service_url == NULL || p == NULL) {
        goto out;
    }
    len = strnlen(service_url, INVQR_WSDL_MAX_URL + 1);
    if (len > INVQR_WSDL_MAX_URL ||
        (strncasecmp(service_url, "http://", 7) != 0 &&
         strncasecmp(service_url, "https://", 8) != 0) ||
        invqr_utf8_count_text(service_url, len, 0) < 0) {
        goto out;
    }
    /* U+FFFE and U+FFFF are not XML characters */
    for (i = 0; i + 2 < len; i++) {
        if ((unsigned char)service_url[i] == 0xEF && (unsigned char)service_url[i + 1] == 0xBF &&
            (unsigned char)service_url[i + 2] >= 0xBE) {
            goto out;
        }
    }
    esc = escape_attr(service_url, len, p);
    if (esc == NULL) {
        goto out;
    }
    result = apr_pstrcat(p, wsdl_head, esc, wsdl_middle, esc, wsdl_tail, NULL);
out:
    return result;
}
