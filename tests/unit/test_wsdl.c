/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the WSDL (corelib/soap/invqr_wsdl.c).
 *
 * No WSDL 1.1 schema is available offline, so the structure is checked with
 * XPath instead: WS-I style document/literal, one element part per message,
 * every portType operation with input, output and fault, both bindings
 * complete with the SOAPAction URIs the parser expects, the WS-Security
 * requirement documented where it applies, and both ports at the given
 * address however many characters it has that XML must escape. The
 * embedded XML Schema is copied into a document of its own and compiled
 * with xmlSchemaParse, then used to accept and refuse sample elements.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "invqr_soap.h"
#include "invqr_wsdl.h"

#define WSDL_NS   "http://schemas.xmlsoap.org/wsdl/"
#define SOAP_NS   "http://schemas.xmlsoap.org/wsdl/soap/"
#define SOAP12_NS "http://schemas.xmlsoap.org/wsdl/soap12/"
#define XS_NS     "http://www.w3.org/2001/XMLSchema"
#define URL       "https://verifica.example.gov.it/invqr/soap"

static const char *const operations[] = { "VerifyLevel1", "RequestOtp", "VerifyLevel2" };
static const invqr_soap_op_t op_ids[] = {
    INVQR_SOAP_OP_VERIFY_LEVEL1, INVQR_SOAP_OP_REQUEST_OTP, INVQR_SOAP_OP_VERIFY_LEVEL2,
};

typedef struct {
    apr_pool_t *pool;
    xmlDocPtr doc;
    xmlXPathContextPtr xp;
} fixture_t;

static int group_setup(void **state)
{
    (void)state;
    if (apr_initialize() != APR_SUCCESS) {
        return -1;
    }
    xmlInitParser();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    xmlCleanupParser();
    apr_terminate();
    return 0;
}

static void load(fixture_t *f, const char *url)
{
    const char *w = invqr_wsdl(url, f->pool);

    assert_non_null(w);
    f->doc = xmlReadMemory(w, (int)strlen(w), NULL, NULL, XML_PARSE_NONET);
    assert_non_null(f->doc);
    f->xp = xmlXPathNewContext(f->doc);
    assert_non_null(f->xp);
    xmlXPathRegisterNs(f->xp, BAD_CAST "wsdl", BAD_CAST WSDL_NS);
    xmlXPathRegisterNs(f->xp, BAD_CAST "soap", BAD_CAST SOAP_NS);
    xmlXPathRegisterNs(f->xp, BAD_CAST "soap12", BAD_CAST SOAP12_NS);
    xmlXPathRegisterNs(f->xp, BAD_CAST "xs", BAD_CAST XS_NS);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));

    if (f == NULL || apr_pool_create(&f->pool, NULL) != APR_SUCCESS) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup_loaded(void **state)
{
    if (setup(state) != 0) {
        return -1;
    }
    load(*state, URL);
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;

    xmlXPathFreeContext(f->xp);
    xmlFreeDoc(f->doc);
    apr_pool_destroy(f->pool);
    free(f);
    return 0;
}

static const char *xs(fixture_t *f, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(
        BAD_CAST apr_pstrcat(f->pool, "string(", expr, ")", NULL), f->xp);
    const char *s;

    assert_non_null(o);
    s = apr_pstrdup(f->pool, (const char *)o->stringval);
    xmlXPathFreeObject(o);
    return s;
}

static int xcount(fixture_t *f, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(
        BAD_CAST apr_pstrcat(f->pool, "count(", expr, ")", NULL), f->xp);
    int n;

    assert_non_null(o);
    n = (int)o->floatval;
    xmlXPathFreeObject(o);
    return n;
}

/* The embedded schema, in a document of its own, compiled. */
static xmlSchemaPtr compile_schema(fixture_t *f)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST "/wsdl:definitions/wsdl:types/xs:schema",
                                                 f->xp);
    xmlDocPtr sdoc = xmlNewDoc(BAD_CAST "1.0");
    xmlSchemaParserCtxtPtr pc;
    xmlSchemaPtr schema;

    assert_non_null(o);
    assert_non_null(o->nodesetval);
    assert_int_equal(o->nodesetval->nodeNr, 1);
    assert_non_null(sdoc);
    xmlDocSetRootElement(sdoc, xmlDocCopyNode(o->nodesetval->nodeTab[0], sdoc, 1));
    xmlXPathFreeObject(o);
    pc = xmlSchemaNewDocParserCtxt(sdoc);
    assert_non_null(pc);
    schema = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    xmlFreeDoc(sdoc);
    assert_non_null(schema);
    return schema;
}

/* Refusals are expected here: keep them off stderr. */
static void ignore_error(void *ctx, xmlErrorPtr err)
{
    (void)ctx;
    (void)err;
}

static int validates(xmlSchemaPtr schema, const char *xml)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
    xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(schema);
    int rc;

    assert_non_null(doc);
    assert_non_null(v);
    xmlSchemaSetValidStructuredErrors(v, ignore_error, NULL);
    rc = xmlSchemaValidateDoc(v, doc);
    xmlSchemaFreeValidCtxt(v);
    xmlFreeDoc(doc);
    return rc == 0;
}

/* ------------------------------------------------------------------------ */

static void test_well_formed_definitions(void **state)
{
    fixture_t *f = *state;
    xmlNodePtr root = xmlDocGetRootElement(f->doc);

    assert_non_null(root);
    assert_string_equal((const char *)root->name, "definitions");
    assert_string_equal((const char *)root->ns->href, WSDL_NS);
    assert_null(f->doc->intSubset);
    assert_string_equal(xs(f, "/wsdl:definitions/@targetNamespace"), INVQR_SOAP_NS);
    assert_string_equal(xs(f, "/wsdl:definitions/wsdl:types/xs:schema/@targetNamespace"),
                        INVQR_SOAP_NS);
    assert_string_equal(xs(f, "/wsdl:definitions/wsdl:types/xs:schema/@elementFormDefault"),
                        "qualified");
    /* WSDL 1.1 order: documentation, types, message, portType, binding, service */
    assert_string_equal(xs(f, "local-name(/wsdl:definitions/*[1])"), "documentation");
    /* the ModI policy for signed requests is stated once, for the service */
    assert_non_null(strstr(xs(f, "string(/wsdl:definitions/wsdl:documentation)"),
                           "ID_AUTH_SOAP_02"));
    assert_non_null(strstr(xs(f, "string(/wsdl:definitions/wsdl:documentation)"),
                           "SIGNATURE_INVALID"));
    assert_string_equal(xs(f, "local-name(/wsdl:definitions/*[2])"), "types");
    assert_int_equal(xcount(f, "/wsdl:definitions/wsdl:message"), 7);
    assert_int_equal(xcount(f, "/wsdl:definitions/wsdl:portType"), 1);
    assert_int_equal(xcount(f, "/wsdl:definitions/wsdl:binding"), 2);
    assert_int_equal(xcount(f, "/wsdl:definitions/wsdl:service"), 1);
    assert_int_equal(xcount(f, "/wsdl:definitions/wsdl:service/preceding-sibling::wsdl:binding"),
                     2);
}

/* WS-I BP R2204, R2206, R2210: one part per message, given by element, and
 * that element exists in the schema. */
static void test_messages_are_element_parts(void **state)
{
    fixture_t *f = *state;
    int n = xcount(f, "/wsdl:definitions/wsdl:message"), i;

    for (i = 1; i <= n; i++) {
        const char *m = apr_psprintf(f->pool, "/wsdl:definitions/wsdl:message[%d]", i);
        const char *el;

        assert_int_equal(xcount(f, apr_pstrcat(f->pool, m, "/wsdl:part", NULL)), 1);
        assert_int_equal(xcount(f, apr_pstrcat(f->pool, m, "/wsdl:part/@type", NULL)), 0);
        el = xs(f, apr_pstrcat(f->pool, m, "/wsdl:part/@element", NULL));
        assert_true(strncmp(el, "tns:", 4) == 0);
        assert_int_equal(xcount(f, apr_psprintf(f->pool, "//xs:schema/xs:element[@name='%s']",
                                                el + 4)),
                         1);
    }
    assert_string_equal(xs(f, "//wsdl:message[@name='FaultMessage']/wsdl:part/@element"),
                        "tns:FaultDetail");
}

static void test_port_type(void **state)
{
    fixture_t *f = *state;
    size_t i;

    assert_int_equal(xcount(f, "//wsdl:portType/wsdl:operation"), 3);
    for (i = 0; i < 3; i++) {
        const char *op = apr_psprintf(f->pool, "//wsdl:portType/wsdl:operation[@name='%s']",
                                      operations[i]);
        const char *doc;

        assert_int_equal(xcount(f, op), 1);
        assert_string_equal(xs(f, apr_pstrcat(f->pool, op, "/wsdl:input/@message", NULL)),
                            apr_pstrcat(f->pool, "tns:", operations[i], "Request", NULL));
        assert_string_equal(xs(f, apr_pstrcat(f->pool, op, "/wsdl:output/@message", NULL)),
                            apr_pstrcat(f->pool, "tns:", operations[i], "Response", NULL));
        assert_string_equal(xs(f, apr_pstrcat(f->pool, op, "/wsdl:fault/@message", NULL)),
                            "tns:FaultMessage");
        assert_string_equal(xs(f, apr_pstrcat(f->pool, op, "/wsdl:fault/@name", NULL)),
                            "Fault");
        /* the messages named exist */
        assert_int_equal(xcount(f, apr_psprintf(f->pool, "//wsdl:message[@name='%sRequest']",
                                                operations[i])),
                         1);
        assert_int_equal(xcount(f, apr_psprintf(f->pool, "//wsdl:message[@name='%sResponse']",
                                                operations[i])),
                         1);
        /* the WS-Security requirement is written where it applies */
        doc = xs(f, apr_pstrcat(f->pool, op, "/wsdl:documentation", NULL));
        if (invqr_soap_op_needs_auth(op_ids[i])) {
            assert_non_null(strstr(doc, "UsernameToken"));
            assert_non_null(strstr(doc, "WS-Security"));
            assert_non_null(strstr(doc, "#PasswordText"));
            assert_non_null(strstr(doc, "AUTH_FAILED"));
        }
        else {
            assert_null(strstr(doc, "UsernameToken"));
        }
    }
}

static void check_binding(fixture_t *f, const char *name, const char *soap, const char *ns)
{
    const char *b = apr_psprintf(f->pool, "//wsdl:binding[@name='%s']", name);
    size_t i;

    assert_string_equal(xs(f, apr_pstrcat(f->pool, b, "/@type", NULL)),
                        "tns:InvQRVerifyPortType");
    assert_string_equal(xs(f, apr_psprintf(f->pool, "%s/%s:binding/@style", b, soap)),
                        "document");
    assert_string_equal(xs(f, apr_psprintf(f->pool, "%s/%s:binding/@transport", b, soap)),
                        "http://schemas.xmlsoap.org/soap/http");
    assert_int_equal(xcount(f, apr_pstrcat(f->pool, b, "/wsdl:operation", NULL)), 3);
    /* no extension element of the other SOAP version */
    assert_int_equal(xcount(f, apr_psprintf(f->pool, "%s//*[namespace-uri() != '%s' and "
                                                     "namespace-uri() != '" WSDL_NS "']",
                                            b, ns)),
                     0);
    for (i = 0; i < 3; i++) {
        const char *op = apr_psprintf(f->pool, "%s/wsdl:operation[@name='%s']", b, operations[i]);

        assert_int_equal(xcount(f, op), 1);
        assert_string_equal(xs(f, apr_psprintf(f->pool, "%s/%s:operation/@soapAction", op, soap)),
                            invqr_soap_op_action(op_ids[i]));
        assert_string_equal(xs(f, apr_psprintf(f->pool, "%s/%s:operation/@style", op, soap)),
                            "document");
        /* WS-I R2706, R2716: literal, no namespace on soap:body */
        assert_string_equal(xs(f, apr_psprintf(f->pool, "%s/wsdl:input/%s:body/@use", op, soap)),
                            "literal");
        assert_string_equal(xs(f, apr_psprintf(f->pool, "%s/wsdl:output/%s:body/@use", op,
                                               soap)),
                            "literal");
        assert_int_equal(xcount(f, apr_psprintf(f->pool, "%s//%s:body/@namespace", op, soap)), 0);
        /* R2721, R2754: the fault is named and matches the portType's */
        assert_string_equal(xs(f, apr_pstrcat(f->pool, op, "/wsdl:fault/@name", NULL)), "Fault");
        assert_string_equal(xs(f, apr_psprintf(f->pool, "%s/wsdl:fault/%s:fault/@name", op, soap)),
                            "Fault");
        assert_string_equal(xs(f, apr_psprintf(f->pool, "%s/wsdl:fault/%s:fault/@use", op, soap)),
                            "literal");
    }
}

static void test_bindings(void **state)
{
    fixture_t *f = *state;

    check_binding(f, "InvQRVerifySoap11Binding", "soap", SOAP_NS);
    check_binding(f, "InvQRVerifySoap12Binding", "soap12", SOAP12_NS);
    /* the SOAP 1.2 action parameter is optional */
    assert_int_equal(xcount(f, "//soap12:operation[@soapActionRequired='false']"), 3);
}

static void test_service_address(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(xcount(f, "//wsdl:service/wsdl:port"), 2);
    assert_string_equal(xs(f, "//wsdl:port[@name='InvQRVerifySoap11Port']/@binding"),
                        "tns:InvQRVerifySoap11Binding");
    assert_string_equal(xs(f, "//wsdl:port[@name='InvQRVerifySoap12Port']/@binding"),
                        "tns:InvQRVerifySoap12Binding");
    assert_string_equal(xs(f, "//wsdl:port/soap:address/@location"), URL);
    assert_string_equal(xs(f, "//wsdl:port/soap12:address/@location"), URL);
}

static void test_address_escaped(void **state)
{
    fixture_t *f = *state;
    const char *url = "https://h.example/soap?a=1&b=\"2\"&c=<3>&d='4'&e=\xc3\xa8";

    load(f, url);
    assert_string_equal(xs(f, "//wsdl:port/soap:address/@location"), url);
    assert_string_equal(xs(f, "//wsdl:port/soap12:address/@location"), url);
    assert_int_equal(xcount(f, "//wsdl:port"), 2);
}

static void test_address_refused(void **state)
{
    fixture_t *f = *state;
    char *big = apr_palloc(f->pool, INVQR_WSDL_MAX_URL + 2);

    assert_null(invqr_wsdl(NULL, f->pool));
    assert_null(invqr_wsdl("", f->pool));
    assert_null(invqr_wsdl("/soap", f->pool));
    assert_null(invqr_wsdl("ftp://h/soap", f->pool));
    assert_null(invqr_wsdl("javascript:alert(1)", f->pool));
    assert_null(invqr_wsdl("http://h/\x01", f->pool));
    assert_null(invqr_wsdl("http://h/\n", f->pool));
    assert_null(invqr_wsdl("http://h/\xc3", f->pool));
    assert_null(invqr_wsdl("http://h/\xef\xbf\xbf", f->pool));
    memset(big, 'a', INVQR_WSDL_MAX_URL + 1);
    memcpy(big, "http://", 7);
    big[INVQR_WSDL_MAX_URL + 1] = '\0';
    assert_null(invqr_wsdl(big, f->pool));
    big[INVQR_WSDL_MAX_URL] = '\0';
    assert_non_null(invqr_wsdl(big, f->pool));
    assert_non_null(invqr_wsdl("HTTP://127.0.0.1:8080/soap", f->pool));
}

static void test_schema_compiles_and_types(void **state)
{
    fixture_t *f = *state;
    xmlSchemaPtr schema = compile_schema(f);
    const char *head = "xmlns=\"" INVQR_SOAP_NS "\"";
    char *c65 = apr_palloc(f->pool, 66);

    memset(c65, 'C', 65);
    c65[65] = '\0';
    /* requests */
    assert_true(validates(schema, apr_psprintf(f->pool, "<VerifyLevel1 %s><code>A</code>"
                                                        "<fiscalCode>B</fiscalCode>"
                                                        "</VerifyLevel1>", head)));
    assert_false(validates(schema, apr_psprintf(f->pool, "<VerifyLevel1 %s><code>%s</code>"
                                                         "<fiscalCode>B</fiscalCode>"
                                                         "</VerifyLevel1>", head, c65)));
    assert_false(validates(schema, apr_psprintf(f->pool, "<VerifyLevel1 %s><code></code>"
                                                         "<fiscalCode>B</fiscalCode>"
                                                         "</VerifyLevel1>", head)));
    assert_true(validates(schema, apr_psprintf(f->pool, "<VerifyLevel2 %s><challengeId>c"
                                                        "</challengeId><otp>123456</otp>"
                                                        "</VerifyLevel2>", head)));
    assert_false(validates(schema, apr_psprintf(f->pool, "<VerifyLevel2 %s><challengeId>c"
                                                         "</challengeId><otp>12345678901234567"
                                                         "</otp></VerifyLevel2>", head)));
    /* answers: booleans, enumerations, nillable percent, dates */
    assert_true(validates(schema, apr_psprintf(f->pool,
        "<VerifyLevel2Response %s xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
        "<name>A B</name><civilInvalidity>true</civilInvalidity>"
        "<minorInvalidity>false</minorInvalidity><attendanceAllowance>false"
        "</attendanceAllowance><civilBlindness>false</civilBlindness><deafness>false</deafness>"
        "<handicap>ART3_C1</handicap><medicalJudgment>x</medicalJudgment>"
        "<invalidityPercent xsi:nil=\"true\"/><blindnessDegree>NONE</blindnessDegree>"
        "<judgmentDate>2024-01-31</judgmentDate></VerifyLevel2Response>", head)));
    assert_false(validates(schema, apr_psprintf(f->pool,
        "<VerifyLevel1Response %s><name>A B</name><civilInvalidity>yes</civilInvalidity>"
        "<minorInvalidity>false</minorInvalidity><attendanceAllowance>false"
        "</attendanceAllowance><civilBlindness>false</civilBlindness><deafness>false</deafness>"
        "<handicap>NONE</handicap></VerifyLevel1Response>", head)));
    assert_false(validates(schema, apr_psprintf(f->pool,
        "<VerifyLevel1Response %s><name>A B</name><civilInvalidity>true</civilInvalidity>"
        "<minorInvalidity>false</minorInvalidity><attendanceAllowance>false"
        "</attendanceAllowance><civilBlindness>false</civilBlindness><deafness>false</deafness>"
        "<handicap>ART3_C2</handicap></VerifyLevel1Response>", head)));
    assert_false(validates(schema, apr_psprintf(f->pool,
        "<VerifyLevel2Response %s><name>A B</name><civilInvalidity>true</civilInvalidity>"
        "<minorInvalidity>false</minorInvalidity><attendanceAllowance>false"
        "</attendanceAllowance><civilBlindness>false</civilBlindness><deafness>false</deafness>"
        "<handicap>NONE</handicap><medicalJudgment>x</medicalJudgment>"
        "<invalidityPercent>101</invalidityPercent><blindnessDegree>NONE</blindnessDegree>"
        "<judgmentDate>2024-01-31</judgmentDate></VerifyLevel2Response>", head)));
    assert_true(validates(schema, apr_psprintf(f->pool,
        "<RequestOtpResponse %s><challengeId>c</challengeId>"
        "<expiresAt>2024-05-01T12:00:00Z</expiresAt><maskedMobile>+39***67</maskedMobile>"
        "</RequestOtpResponse>", head)));
    assert_false(validates(schema, apr_psprintf(f->pool,
        "<RequestOtpResponse %s><challengeId>c</challengeId>"
        "<expiresAt>tomorrow</expiresAt><maskedMobile>+39***67</maskedMobile>"
        "</RequestOtpResponse>", head)));
    /* every machine code, and nothing else */
    {
        int c;

        for (c = 0; c < INVQR_SOAP__CODE_COUNT; c++) {
            assert_true(validates(schema, apr_psprintf(f->pool,
                "<FaultDetail %s><code>%s</code></FaultDetail>", head,
                invqr_soap_code_name((invqr_soap_code_t)c))));
        }
        assert_false(validates(schema, apr_psprintf(f->pool,
            "<FaultDetail %s><code>TEAPOT</code></FaultDetail>", head)));
    }
    xmlSchemaFree(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_well_formed_definitions, setup_loaded, teardown),
        cmocka_unit_test_setup_teardown(test_messages_are_element_parts, setup_loaded, teardown),
        cmocka_unit_test_setup_teardown(test_port_type, setup_loaded, teardown),
        cmocka_unit_test_setup_teardown(test_bindings, setup_loaded, teardown),
        cmocka_unit_test_setup_teardown(test_service_address, setup_loaded, teardown),
        cmocka_unit_test_setup_teardown(test_address_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_compiles_and_types, setup_loaded, teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
