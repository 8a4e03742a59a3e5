/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the SOAP request reader and answer builders
 * (corelib/soap/invqr_soap.c).
 *
 * Good SOAP 1.1 and 1.2 requests for each operation, with and without an
 * action, with a UsernameToken of each password type, pretty-printed, and as
 * two independent clients (python-zeep and PHP's SoapClient, generated from
 * our WSDL) wrote them into the seed corpus; answers and faults of both
 * versions parsed back and checked with XPath and against the WSDL's own
 * schema; and hostile input: external entities (no file may even be
 * opened), the billion laughs, deep nesting, 10 MB bodies, wrong or
 * mismatched envelopes, broken structure, and markup in parameters that
 * must come back as text. Each test gets a fresh pool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "invqr_soap.h"
#include "invqr_wsdl.h"
#include "invqr_wssec.h"

#define S11 INVQR_SOAP11_ENV_NS
#define S12 INVQR_SOAP12_ENV_NS
#define CT11 "text/xml; charset=utf-8"
#define CT12 "application/soap+xml; charset=utf-8"
#define PW "correct horse battery"

#define EVIL "<b>&amp;\"x\" 'y' </b>]]>"

/* The schema embedded in the WSDL, compiled once for all tests. */
static xmlSchemaPtr schema;

/* Every time libxml2 was asked to open any URI (see io_match). */
static int io_attempts;

static int io_match(const char *uri)
{
    (void)uri;
    io_attempts++;
    return 0;                   /* and refuse to handle it */
}

/* ------------------------------------------------------------------------ */

/* An envelope of version with an optional Header, without declaration. */
static const char *bare(apr_pool_t *p, int version, const char *header, const char *body)
{
    return apr_psprintf(p,
                        "<s:Envelope xmlns:s=\"%s\" xmlns:inv=\"" INVQR_SOAP_NS "\">"
                        "%s%s%s<s:Body>%s</s:Body></s:Envelope>",
                        version == 12 ? S12 : S11, header ? "<s:Header>" : "",
                        header ? header : "", header ? "</s:Header>" : "", body);
}

/* The same with an XML declaration. */
static const char *wrap(apr_pool_t *p, int version, const char *header, const char *body)
{
    return apr_pstrcat(p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                       bare(p, version, header, body), NULL);
}

static const char *op_level1(apr_pool_t *p, const char *code, const char *fc)
{
    return apr_psprintf(p,
                        "<inv:VerifyLevel1><inv:code>%s</inv:code>"
                        "<inv:fiscalCode>%s</inv:fiscalCode></inv:VerifyLevel1>",
                        code, fc);
}

static const char *LEVEL1 = "<inv:VerifyLevel1><inv:code>0123456789ABCDEFGHJK</inv:code>"
                            "<inv:fiscalCode>RSSMRA85T10A562S</inv:fiscalCode></inv:VerifyLevel1>";
static const char *OTP = "<inv:RequestOtp><inv:code>0123456789ABCDEFGHJK</inv:code>"
                         "<inv:fiscalCode>RSSMRA85T10A562S</inv:fiscalCode></inv:RequestOtp>";
static const char *LEVEL2 = "<inv:VerifyLevel2><inv:challengeId>ch-1</inv:challengeId>"
                            "<inv:otp>123456</inv:otp></inv:VerifyLevel2>";

static const char *token_text(apr_pool_t *p, const char *user, const char *pw)
{
    return apr_psprintf(p,
                        "<wsse:Security xmlns:wsse=\"" INVQR_WSSE_NS "\"><wsse:UsernameToken>"
                        "<wsse:Username>%s</wsse:Username>"
                        "<wsse:Password Type=\"" INVQR_WSSE_PASSWORD_TEXT "\">%s</wsse:Password>"
                        "</wsse:UsernameToken></wsse:Security>",
                        user, pw);
}

/* The digest of PW with nonce 00 01 .. 0f and this Created, computed with
 * Python's hashlib and base64 (see test_wssec.c). */
static const char *TOKEN_DIGEST =
    "<wsse:Security xmlns:wsse=\"" INVQR_WSSE_NS "\" xmlns:wsu=\"" INVQR_WSU_NS "\">"
    "<wsse:UsernameToken wsu:Id=\"t1\"><wsse:Username>operator1</wsse:Username>"
    "<wsse:Password Type=\"" INVQR_WSSE_PASSWORD_DIGEST "\">Uw3xKs9kY5GtjfR5/xbct3BsIWU="
    "</wsse:Password>"
    "<wsse:Nonce EncodingType=\"" INVQR_WSSE_BASE64 "\">AAECAwQFBgcICQoLDA0ODw==</wsse:Nonce>"
    "<wsu:Created>2024-05-01T12:00:00Z</wsu:Created>"
    "</wsse:UsernameToken></wsse:Security>";

typedef struct {
    apr_status_t rv;
    invqr_soap_req_t *req;
    invqr_soap_fault_t fault;
} result_t;

static result_t parse(apr_pool_t *p, const char *body, const char *ct, const char *action)
{
    result_t r;

    memset(&r, 0, sizeof(r));
    r.rv = invqr_soap_parse(&r.req, &r.fault, body, strlen(body), ct, action, p);
    if (r.rv == APR_SUCCESS) {
        assert_non_null(r.req);
    }
    else {
        assert_null(r.req);
        assert_non_null(r.fault.reason);
    }
    return r;
}

/* A refusal with BAD_REQUEST in version, fault code fc. */
static void assert_refused(result_t r, int version, invqr_soap_fcode_t fc)
{
    assert_int_not_equal(r.rv, APR_SUCCESS);
    assert_int_equal(r.fault.code, INVQR_SOAP_BAD_REQUEST);
    assert_int_equal(r.fault.version, version);
    assert_int_equal(r.fault.fcode, fc);
}

static void assert_level1(result_t r, int version, invqr_soap_op_t op)
{
    assert_int_equal(r.rv, APR_SUCCESS);
    assert_int_equal(r.req->version, version);
    assert_int_equal(r.req->op, op);
    assert_string_equal(r.req->code, "0123456789ABCDEFGHJK");
    assert_string_equal(r.req->fiscal_code, "RSSMRA85T10A562S");
    assert_null(r.req->challenge_id);
    assert_null(r.req->otp);
}

/* ---- XPath over an answer ---------------------------------------------- */

typedef struct {
    xmlDocPtr doc;
    xmlXPathContextPtr xp;
} parsed_t;

static parsed_t reparse(const invqr_soap_out_t *out)
{
    parsed_t d;

    assert_non_null(out);
    assert_int_equal(strlen(out->body), out->len);
    d.doc = xmlReadMemory(out->body, (int)out->len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(d.doc);
    assert_null(d.doc->intSubset);
    d.xp = xmlXPathNewContext(d.doc);
    assert_non_null(d.xp);
    xmlXPathRegisterNs(d.xp, BAD_CAST "s11", BAD_CAST S11);
    xmlXPathRegisterNs(d.xp, BAD_CAST "s12", BAD_CAST S12);
    xmlXPathRegisterNs(d.xp, BAD_CAST "inv", BAD_CAST INVQR_SOAP_NS);
    xmlXPathRegisterNs(d.xp, BAD_CAST "xsi", BAD_CAST "http://www.w3.org/2001/XMLSchema-instance");
    return d;
}

static void unparse(parsed_t *d)
{
    xmlXPathFreeContext(d->xp);
    xmlFreeDoc(d->doc);
}

/* The string value of expr (XPath string()), copied into p. */
static const char *xs(apr_pool_t *p, parsed_t *d, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST apr_pstrcat(p, "string(", expr, ")",
                                                                      NULL), d->xp);
    const char *s;

    assert_non_null(o);
    s = apr_pstrdup(p, (const char *)o->stringval);
    xmlXPathFreeObject(o);
    return s;
}

static int xcount(apr_pool_t *p, parsed_t *d, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST apr_pstrcat(p, "count(", expr, ")",
                                                                      NULL), d->xp);
    int n;

    assert_non_null(o);
    n = (int)o->floatval;
    xmlXPathFreeObject(o);
    return n;
}

/* Validate the first element of the Body against the WSDL's schema. */
static void assert_schema_valid(parsed_t *d, int version)
{
    xmlXPathObjectPtr o;
    xmlDocPtr one;
    xmlSchemaValidCtxtPtr v;
    int rc;

    o = xmlXPathEvalExpression(BAD_CAST(version == 12 ? "/s12:Envelope/s12:Body/*"
                                                      : "/s11:Envelope/s11:Body/*"),
                               d->xp);
    assert_non_null(o);
    assert_non_null(o->nodesetval);
    assert_int_equal(o->nodesetval->nodeNr, 1);
    if (o->nodesetval->nodeTab[0]->ns != NULL &&
        strcmp((const char *)o->nodesetval->nodeTab[0]->ns->href, INVQR_SOAP_NS) != 0) {
        /* a Fault: validate its FaultDetail instead */
        xmlXPathFreeObject(o);
        o = xmlXPathEvalExpression(BAD_CAST "//inv:FaultDetail", d->xp);
        assert_non_null(o);
        assert_non_null(o->nodesetval);
        assert_int_equal(o->nodesetval->nodeNr, 1);
    }
    one = xmlNewDoc(BAD_CAST "1.0");
    assert_non_null(one);
    xmlDocSetRootElement(one, xmlDocCopyNode(o->nodesetval->nodeTab[0], one, 1));
    xmlXPathFreeObject(o);
    v = xmlSchemaNewValidCtxt(schema);
    assert_non_null(v);
    rc = xmlSchemaValidateDoc(v, one);
    xmlSchemaFreeValidCtxt(v);
    xmlFreeDoc(one);
    assert_int_equal(rc, 0);
}

/* ---- fixtures ----------------------------------------------------------- */

static int group_setup(void **state)
{
    apr_pool_t *p = NULL;
    const char *wsdl;
    xmlDocPtr doc = NULL, sdoc = NULL;
    xmlXPathContextPtr xp = NULL;
    xmlXPathObjectPtr o = NULL;
    xmlSchemaParserCtxtPtr pc = NULL;
    int rc = -1;

    (void)state;
    if (apr_initialize() != APR_SUCCESS) {
        return -1;
    }
    xmlInitParser();
    /* counts every attempt to open anything, in front of libxml2's own */
    if (xmlRegisterInputCallbacks(io_match, NULL, NULL, NULL) < 0) {
        return -1;
    }
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        return -1;
    }
    wsdl = invqr_wsdl("https://invqr.example.org/soap", p);
    if (wsdl == NULL) {
        goto out;
    }
    doc = xmlReadMemory(wsdl, (int)strlen(wsdl), NULL, NULL, XML_PARSE_NONET);
    xp = doc != NULL ? xmlXPathNewContext(doc) : NULL;
    if (xp == NULL) {
        goto out;
    }
    xmlXPathRegisterNs(xp, BAD_CAST "xs", BAD_CAST "http://www.w3.org/2001/XMLSchema");
    o = xmlXPathEvalExpression(BAD_CAST "//xs:schema", xp);
    if (o == NULL || o->nodesetval == NULL || o->nodesetval->nodeNr != 1) {
        goto out;
    }
    sdoc = xmlNewDoc(BAD_CAST "1.0");
    xmlDocSetRootElement(sdoc, xmlDocCopyNode(o->nodesetval->nodeTab[0], sdoc, 1));
    pc = xmlSchemaNewDocParserCtxt(sdoc);
    schema = pc != NULL ? xmlSchemaParse(pc) : NULL;
    rc = schema != NULL ? 0 : -1;
out:
    xmlSchemaFreeParserCtxt(pc);
    xmlFreeDoc(sdoc);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    apr_pool_destroy(p);
    return rc;
}

static int group_teardown(void **state)
{
    (void)state;
    xmlSchemaFree(schema);
    xmlPopInputCallbacks();
    xmlCleanupParser();
    apr_terminate();
    return 0;
}

static int setup(void **state)
{
    apr_pool_t *p = NULL;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        return -1;
    }
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    apr_pool_destroy(*state);
    return 0;
}

/* ---- good requests ------------------------------------------------------ */

static void test_level1_soap11(void **state)
{
    apr_pool_t *p = *state;
    const char *b = wrap(p, 11, NULL, LEVEL1);

    assert_level1(parse(p, b, CT11, "\"" INVQR_SOAP_ACTION_LEVEL1 "\""), 11,
                  INVQR_SOAP_OP_VERIFY_LEVEL1);
    /* unquoted, absent, empty and "" all do */
    assert_level1(parse(p, b, CT11, INVQR_SOAP_ACTION_LEVEL1), 11, INVQR_SOAP_OP_VERIFY_LEVEL1);
    assert_level1(parse(p, b, CT11, NULL), 11, INVQR_SOAP_OP_VERIFY_LEVEL1);
    assert_level1(parse(p, b, CT11, ""), 11, INVQR_SOAP_OP_VERIFY_LEVEL1);
    assert_level1(parse(p, b, CT11, "\"\""), 11, INVQR_SOAP_OP_VERIFY_LEVEL1);
    assert_level1(parse(p, b, "text/xml", NULL), 11, INVQR_SOAP_OP_VERIFY_LEVEL1);
    assert_level1(parse(p, b, "Text/XML ; Charset=\"UTF-8\"", NULL), 11,
                  INVQR_SOAP_OP_VERIFY_LEVEL1);
    assert_null(parse(p, b, CT11, NULL).req->token);
}

static void test_level1_soap12(void **state)
{
    apr_pool_t *p = *state;
    const char *b = wrap(p, 12, NULL, LEVEL1);

    assert_level1(parse(p, b, CT12 "; action=\"" INVQR_SOAP_ACTION_LEVEL1 "\"", NULL), 12,
                  INVQR_SOAP_OP_VERIFY_LEVEL1);
    assert_level1(parse(p, b, CT12, NULL), 12, INVQR_SOAP_OP_VERIFY_LEVEL1);
    assert_level1(parse(p, b, "application/soap+xml", NULL), 12, INVQR_SOAP_OP_VERIFY_LEVEL1);
    assert_level1(parse(p, b, "application/soap+xml;action=" INVQR_SOAP_ACTION_LEVEL1, NULL),
                  12, INVQR_SOAP_OP_VERIFY_LEVEL1);
    /* SOAPAction means nothing in SOAP 1.2 */
    assert_level1(parse(p, b, CT12, "\"urn:something:else\""), 12, INVQR_SOAP_OP_VERIFY_LEVEL1);
}

static void test_request_otp_password_text(void **state)
{
    apr_pool_t *p = *state;
    const char *b = wrap(p, 11, token_text(p, "operator1", " " PW " "), OTP);
    result_t r = parse(p, b, CT11, "\"" INVQR_SOAP_ACTION_OTP "\"");

    assert_level1(r, 11, INVQR_SOAP_OP_REQUEST_OTP);
    assert_non_null(r.req->token);
    assert_string_equal(r.req->token->username, "operator1");
    assert_int_equal(r.req->token->password_type, INVQR_WSSEC_PASSWORD_TEXT);
    /* a clear-text password is kept exactly, blanks included */
    assert_string_equal(r.req->token->password, " " PW " ");
    assert_null(r.req->token->nonce);
    assert_null(r.req->token->created);
    assert_int_equal(invqr_wssec_digest_ok(r.req->token, PW), 0);
}

static void test_request_otp_password_digest(void **state)
{
    apr_pool_t *p = *state;
    const char *b = wrap(p, 12, TOKEN_DIGEST, OTP);
    result_t r = parse(p, b, CT12 "; action=\"" INVQR_SOAP_ACTION_OTP "\"", NULL);
    const invqr_wssec_token_t *t;
    size_t i;

    assert_level1(r, 12, INVQR_SOAP_OP_REQUEST_OTP);
    t = r.req->token;
    assert_non_null(t);
    assert_string_equal(t->username, "operator1");
    assert_int_equal(t->password_type, INVQR_WSSEC_PASSWORD_DIGEST);
    assert_int_equal(t->nonce_len, 16);
    for (i = 0; i < 16; i++) {
        assert_int_equal(t->nonce[i], i);
    }
    assert_string_equal(t->created, "2024-05-01T12:00:00Z");
    assert_int_equal(t->created_time, 1714564800);
    assert_int_equal(invqr_wssec_digest_ok(t, PW), 1);
    assert_int_equal(invqr_wssec_digest_ok(t, PW "!"), 0);
}

static void test_level2_both_versions(void **state)
{
    apr_pool_t *p = *state;
    int v;

    for (v = 11; v <= 12; v++) {
        const char *hdr = v == 11 ? TOKEN_DIGEST : token_text(p, "op", "secret pass 1");
        result_t r = parse(p, wrap(p, v, hdr, LEVEL2), v == 11 ? CT11 : CT12,
                           v == 11 ? "\"" INVQR_SOAP_ACTION_LEVEL2 "\"" : NULL);

        assert_int_equal(r.rv, APR_SUCCESS);
        assert_int_equal(r.req->version, v);
        assert_int_equal(r.req->op, INVQR_SOAP_OP_VERIFY_LEVEL2);
        assert_string_equal(r.req->challenge_id, "ch-1");
        assert_string_equal(r.req->otp, "123456");
        assert_null(r.req->code);
        assert_null(r.req->fiscal_code);
        assert_non_null(r.req->token);
        assert_int_equal(r.req->token->password_type,
                         v == 11 ? INVQR_WSSEC_PASSWORD_DIGEST : INVQR_WSSEC_PASSWORD_TEXT);
    }
}

/* Pretty-printed, commented, CDATA, other prefixes, parameters in any
 * order, padded values: all the same request. */
static void test_lenient_but_exact(void **state)
{
    apr_pool_t *p = *state;
    const char *b =
        "\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>\n<!-- a client comment -->\n"
        "<E:Envelope xmlns:E=\"" S11 "\">\n  <E:Header/>\n  <E:Body>\n"
        "    <!-- here -->\n    <VerifyLevel1 xmlns=\"" INVQR_SOAP_NS "\">\n"
        "      <fiscalCode>\n RSSMRA85T10A562S\t</fiscalCode>\n"
        "      <code><![CDATA[0123456789]]><!-- c -->ABCDEFGHJK</code>\n"
        "    </VerifyLevel1>\n  </E:Body>\n</E:Envelope>\n";

    assert_level1(parse(p, b, CT11, NULL), 11, INVQR_SOAP_OP_VERIFY_LEVEL1);
}

/* Requests written by python-zeep and PHP's SoapClient from our WSDL, kept
 * in the seed corpus as "ok_*" with their HTTP headers. */
static void test_independent_clients(void **state)
{
    apr_pool_t *p = *state;
    const char *top = getenv("top_srcdir");
    const char *dir;
    struct dirent **names = NULL;
    int n, i, seen = 0, digests = 0;

    dir = top != NULL ? apr_pstrcat(p, top, "/tests/fuzz/corpus/soap", NULL)
                      : "tests/fuzz/corpus/soap";
    n = scandir(dir, &names, NULL, alphasort);
    assert_true(n > 0);
    for (i = 0; i < n; i++) {
        char *path, *buf, *s, *end;
        const char *ct = NULL, *sa = NULL;
        apr_size_t len;
        FILE *f;
        result_t r;

        if (strncmp(names[i]->d_name, "ok_", 3) != 0) {
            free(names[i]);
            continue;
        }
        path = apr_pstrcat(p, dir, "/", names[i]->d_name, NULL);
        free(names[i]);
        f = fopen(path, "rb");
        assert_non_null(f);
        buf = apr_palloc(p, 65536);
        len = fread(buf, 1, 65535, f);
        fclose(f);
        buf[len] = '\0';
        /* headers up to the empty line */
        s = buf;
        end = buf + len;
        while (s < end && *s != '\n') {
            char *nl = strchr(s, '\n');

            assert_non_null(nl);
            *nl = '\0';
            if (strncmp(s, "Content-Type: ", 14) == 0) {
                ct = s + 14;
            }
            else if (strncmp(s, "SOAPAction: ", 12) == 0) {
                sa = s + 12;
            }
            s = nl + 1;
        }
        assert_true(s < end);
        s++;
        memset(&r, 0, sizeof(r));
        r.rv = invqr_soap_parse(&r.req, &r.fault, s, (apr_size_t)(end - s), ct, sa, p);
        if (r.rv != APR_SUCCESS) {
            fail_msg("%s: %s", path, r.fault.reason);
        }
        if (r.req->token != NULL && r.req->token->password_type == INVQR_WSSEC_PASSWORD_DIGEST) {
            /* zeep computed these digests: an independent implementation */
            assert_int_equal(invqr_wssec_digest_ok(r.req->token, PW), 1);
            digests++;
        }
        else if (r.req->token != NULL) {
            assert_string_equal(r.req->token->password, PW);
        }
        seen++;
    }
    free(names);
    assert_true(seen >= 6);
    assert_true(digests >= 2);
}

/* ---- actions and content types ----------------------------------------- */

static void test_action_mismatch(void **state)
{
    apr_pool_t *p = *state;

    assert_refused(parse(p, wrap(p, 11, NULL, LEVEL1), CT11, "\"" INVQR_SOAP_ACTION_OTP "\""),
                   11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, NULL, LEVEL1), CT11, "\"urn:other\""), 11,
                   INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, NULL, LEVEL1), CT11, "\"" INVQR_SOAP_ACTION_LEVEL1),
                   11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, NULL, LEVEL1), CT11, "a b"), 11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 12, NULL, LEVEL2),
                         CT12 "; action=\"" INVQR_SOAP_ACTION_LEVEL1 "\"", NULL),
                   12, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 12, NULL, LEVEL2),
                         CT12 "; action=\"" INVQR_SOAP_ACTION_LEVEL2 "\"; action=x", NULL),
                   12, INVQR_SOAP_FC_AUTO);
}

static void test_content_types(void **state)
{
    apr_pool_t *p = *state;
    char *big = apr_palloc(p, INVQR_SOAP_MAX_HEADER + 2);

    /* not UTF-8 */
    assert_refused(parse(p, wrap(p, 11, NULL, LEVEL1), "text/xml; charset=iso-8859-1", NULL),
                   11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 12, NULL, LEVEL1), "application/soap+xml; charset=utf-16",
                         NULL),
                   12, INVQR_SOAP_FC_AUTO);
    /* not SOAP: answered in the version of the envelope */
    assert_refused(parse(p, wrap(p, 12, NULL, LEVEL1), "application/xml", NULL), 12,
                   INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 12, NULL, LEVEL1), NULL, NULL), 12, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, NULL, LEVEL1), NULL, NULL), 11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, NULL, LEVEL1), "text/xmlx", NULL), 11,
                   INVQR_SOAP_FC_AUTO);
    /* malformed parameters */
    assert_refused(parse(p, wrap(p, 11, NULL, LEVEL1), "text/xml; charset", NULL), 11,
                   INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, NULL, LEVEL1), "text/xml; charset=\"utf-8", NULL), 11,
                   INVQR_SOAP_FC_AUTO);
    memset(big, 'a', INVQR_SOAP_MAX_HEADER + 1);
    big[INVQR_SOAP_MAX_HEADER + 1] = '\0';
    memcpy(big, "text/xml;a=", 11);
    assert_refused(parse(p, wrap(p, 11, NULL, LEVEL1), big, NULL), 11, INVQR_SOAP_FC_AUTO);
}

static void test_version_mismatch(void **state)
{
    apr_pool_t *p = *state;
    invqr_soap_out_t *out = NULL;
    parsed_t d;
    result_t r;

    /* a 1.1 envelope sent as 1.2: the fault speaks 1.1 */
    r = parse(p, wrap(p, 11, NULL, LEVEL1), CT12, NULL);
    assert_refused(r, 11, INVQR_SOAP_FC_VERSION_MISMATCH);
    assert_int_equal(invqr_soap_fault(&out, &r.fault, INVQR_LANG_EN, p), APR_SUCCESS);
    assert_string_equal(out->content_type, INVQR_SOAP11_CONTENT_TYPE);
    d = reparse(out);
    assert_string_equal(xs(p, &d, "/s11:Envelope/s11:Body/s11:Fault/faultcode"),
                        "soap:VersionMismatch");
    unparse(&d);

    /* a 1.2 envelope sent as 1.1: the fault speaks 1.2, with Upgrade */
    r = parse(p, wrap(p, 12, NULL, LEVEL1), CT11, NULL);
    assert_refused(r, 12, INVQR_SOAP_FC_VERSION_MISMATCH);
    assert_int_equal(invqr_soap_fault(&out, &r.fault, INVQR_LANG_EN, p), APR_SUCCESS);
    assert_string_equal(out->content_type, INVQR_SOAP12_CONTENT_TYPE);
    d = reparse(out);
    assert_string_equal(xs(p, &d, "/s12:Envelope/s12:Body/s12:Fault/s12:Code/s12:Value"),
                        "soap:VersionMismatch");
    assert_int_equal(xcount(p, &d, "/s12:Envelope/s12:Header/s12:Upgrade/s12:SupportedEnvelope"),
                     2);
    unparse(&d);

    /* an envelope of no SOAP version */
    r = parse(p,
              "<s:Envelope xmlns:s=\"http://example.org/not-soap\"><s:Body>"
              "</s:Body></s:Envelope>",
              CT12, NULL);
    assert_refused(r, 12, INVQR_SOAP_FC_VERSION_MISMATCH);
    r = parse(p, "<Envelope><Body/></Envelope>", CT11, NULL);
    assert_refused(r, 11, INVQR_SOAP_FC_VERSION_MISMATCH);
    r = parse(p, "<s:Body xmlns:s=\"" S11 "\"/>", CT11, NULL);
    assert_refused(r, 11, INVQR_SOAP_FC_VERSION_MISMATCH);
}

/* ---- hostile XML -------------------------------------------------------- */

/* The first line of /etc/passwd, or a line it surely has. */
static const char *passwd_line(apr_pool_t *p)
{
    char line[256] = "root:x:0:0";
    FILE *f = fopen("/etc/passwd", "r");

    if (f != NULL) {
        if (fgets(line, sizeof(line), f) == NULL) {
            strcpy(line, "root:x:0:0");
        }
        fclose(f);
    }
    line[strcspn(line, "\n")] = '\0';
    return apr_pstrdup(p, line);
}

/* Refused, and the file was neither opened nor quoted anywhere. */
static void assert_no_xxe(apr_pool_t *p, const char *doc, const char *secret)
{
    invqr_soap_out_t *out = NULL;
    int before = io_attempts;
    result_t r = parse(p, doc, CT11, NULL);

    assert_refused(r, 11, INVQR_SOAP_FC_AUTO);
    assert_int_equal(io_attempts, before);
    assert_null(strstr(r.fault.reason, secret));
    assert_int_equal(invqr_soap_fault(&out, &r.fault, INVQR_LANG_EN, p), APR_SUCCESS);
    assert_null(strstr(out->body, secret));
    assert_null(strstr(out->body, "root:"));
}

static void test_xxe(void **state)
{
    apr_pool_t *p = *state;
    const char *secret = passwd_line(p);
    const char *env = bare(p, 11, NULL, op_level1(p, "&xxe;", "RSSMRA85T10A562S"));
    const char *xxe = apr_pstrcat(p,
                                  "<?xml version=\"1.0\"?>\n<!DOCTYPE s:Envelope [\n"
                                  "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n",
                                  env, NULL);
    xmlDocPtr unsafe;
    int before = io_attempts;

    /* the control: libxml2 told to substitute entities does open the file,
     * and io_match sees it */
    unsafe = xmlReadMemory(xxe, (int)strlen(xxe), NULL, NULL,
                           XML_PARSE_NOENT | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlFreeDoc(unsafe);
    assert_true(io_attempts > before);

    /* an external general entity */
    assert_no_xxe(p, xxe, secret);
    /* an external DTD, and a parameter entity fetching one */
    assert_no_xxe(p,
                  apr_pstrcat(p, "<!DOCTYPE x SYSTEM \"file:///etc/passwd\">",
                              bare(p, 11, NULL, LEVEL1), NULL),
                  secret);
    assert_no_xxe(p,
                  "<!DOCTYPE x [<!ENTITY % dtd SYSTEM \"file:///etc/passwd\"> %dtd;]>"
                  "<x/>",
                  secret);
    /* a public identifier over the network */
    assert_no_xxe(p,
                  "<!DOCTYPE x PUBLIC \"-//X//Y\" \"http://127.0.0.1:9/x.dtd\"><x/>", secret);
    /* an undeclared entity is not an entity either */
    assert_refused(parse(p, wrap(p, 11, NULL, op_level1(p, "&xxe;", "X")), CT11, NULL), 11,
                   INVQR_SOAP_FC_AUTO);
    /* XInclude is not processed: it is an element where text belongs */
    assert_no_xxe(p,
                  wrap(p, 11, NULL,
                       op_level1(p,
                                 "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
                                 "href=\"file:///etc/passwd\" parse=\"text\"/>",
                                 "X")),
                  secret);
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_billion_laughs(void **state)
{
    apr_pool_t *p = *state;
    const char *doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n";
    const char *prev = "lol";
    double t0;
    result_t r;
    int i;

    for (i = 1; i <= 9; i++) {
        const char *name = apr_psprintf(p, "lol%d", i);
        const char *ref = apr_psprintf(p, "&%s;", prev);

        doc = apr_pstrcat(p, doc, " <!ENTITY ", name, " \"", ref, ref, ref, ref, ref, ref, ref,
                          ref, ref, ref, "\">\n", NULL);
        prev = name;
    }
    doc = apr_pstrcat(p, doc, "]>\n<s:Envelope xmlns:s=\"" S11 "\"><s:Body>",
                      op_level1(p, "&lol9;", "X"), "</s:Body></s:Envelope>", NULL);
    t0 = now_seconds();
    r = parse(p, doc, CT11, NULL);
    assert_true(now_seconds() - t0 < 0.5);
    assert_refused(r, 11, INVQR_SOAP_FC_AUTO);
    assert_non_null(strstr(r.fault.reason, "DOCTYPE"));
}

static void test_deep_nesting(void **state)
{
    apr_pool_t *p = *state;
    apr_size_t n = 10000, i;
    char *doc = apr_palloc(p, n * 3 + 1), *o = doc;
    const char *inner = "";
    double t0;
    result_t r;

    /* 10,000 levels closed again would be 70,000 bytes, over the body cap:
     * the opening tags alone (30,000 bytes) must meet the depth guard */
    for (i = 0; i < n; i++) {
        memcpy(o, "<a>", 3);
        o += 3;
    }
    *o = '\0';
    t0 = now_seconds();
    r = parse(p, doc, CT11, NULL);
    assert_true(now_seconds() - t0 < 0.5);
    assert_refused(r, 11, INVQR_SOAP_FC_AUTO);
    assert_non_null(strstr(r.fault.reason, "deep"));

    /* an ignored header block nested to exactly the limit is fine, one
     * more level is not: Envelope, Header and the block make 3 */
    for (i = 0; i < INVQR_SOAP_MAX_DEPTH - 3; i++) {
        inner = apr_pstrcat(p, "<x:d>", inner, "</x:d>", NULL);
    }
    r = parse(p,
              wrap(p, 11, apr_pstrcat(p, "<x:h xmlns:x=\"urn:x\">", inner, "</x:h>", NULL),
                   LEVEL1),
              CT11, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    inner = apr_pstrcat(p, "<x:d>", inner, "</x:d>", NULL);
    r = parse(p,
              wrap(p, 11, apr_pstrcat(p, "<x:h xmlns:x=\"urn:x\">", inner, "</x:h>", NULL),
                   LEVEL1),
              CT11, NULL);
    assert_refused(r, 11, INVQR_SOAP_FC_AUTO);
}

static void test_too_many_elements(void **state)
{
    apr_pool_t *p = *state;
    const char *many = "";
    int i;

    for (i = 0; i < INVQR_SOAP_MAX_ELEMENTS; i++) {
        many = apr_pstrcat(p, many, "<x:e/>", NULL);
    }
    assert_refused(parse(p,
                         wrap(p, 11, apr_pstrcat(p, "<x:h xmlns:x=\"urn:x\">", many, "</x:h>",
                                                 NULL),
                              LEVEL1),
                         CT11, NULL),
                   11, INVQR_SOAP_FC_AUTO);
}

/* Inputs that cost libxml2 quadratic time were 30-360 ms each before the
 * caps: thousands of attributes on one element, thousands of namespace
 * declarations in scope of prefixed attributes. */
static void test_costly_shapes(void **state)
{
    apr_pool_t *p = *state;
    const char *attrs = "", *decls = "", *uses = "";
    double t0;
    result_t r;
    int i;

    char *many = apr_palloc(p, 6000 * 10 + 1);
    apr_size_t len = 0;

    /* 6,000 attributes, 54 KB, within the body cap */
    for (i = 0; i < 6000; i++) {
        len += (apr_size_t)apr_snprintf(many + len, 11, " a%d=''", i);
    }
    t0 = now_seconds();
    r = parse(p, wrap(p, 11, NULL, apr_pstrcat(p, "<x", many, "/>", NULL)), CT11, NULL);
    assert_true(now_seconds() - t0 < 0.1);
    assert_refused(r, 11, INVQR_SOAP_FC_AUTO);
    assert_non_null(strstr(r.fault.reason, "attributes in one element"));

    /* the same count spread over many tags, quoted '=' and '>' included */
    attrs = "";
    for (i = 0; i < INVQR_SOAP_MAX_ATTRIBUTES; i++) {
        attrs = apr_psprintf(p, "%s a%d='=>'", attrs, i);
    }
    r = parse(p, wrap(p, 11, apr_pstrcat(p, "<x:h xmlns:x='urn:x'", attrs, "/>", NULL), LEVEL1),
              CT11, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    r = parse(p, wrap(p, 11, apr_pstrcat(p, "<x:h xmlns:x='urn:x'", attrs, " b='1'/>", NULL),
                      LEVEL1),
              CT11, NULL);
    assert_refused(r, 11, INVQR_SOAP_FC_AUTO);

    /* namespace declarations: 64 in all at most */
    for (i = 0; i < 60; i++) {
        decls = apr_psprintf(p, "%s xmlns:q%d='urn:q%d'", decls, i, i);
    }
    for (i = 0; i < 60; i++) {
        uses = apr_psprintf(p, "%s q0:a%d=''", uses, i);
    }
    r = parse(p, wrap(p, 11, apr_pstrcat(p, "<x:h xmlns:x='urn:x'", decls, "><x:i", uses,
                                         "/></x:h>", NULL),
                      LEVEL1),
              CT11, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    t0 = now_seconds();
    r = parse(p, wrap(p, 11, apr_pstrcat(p, "<x:h xmlns:x='urn:x'", decls, "><x:i", decls, uses,
                                         "/></x:h>", NULL),
                      LEVEL1),
              CT11, NULL);
    assert_true(now_seconds() - t0 < 0.1);
    assert_refused(r, 11, INVQR_SOAP_FC_AUTO);
    assert_non_null(strstr(r.fault.reason, "namespace"));
}

static void test_huge_body(void **state)
{
    apr_pool_t *p = *state;
    apr_size_t big = 10 * 1024 * 1024;
    char *body = malloc(big);
    invqr_soap_req_t *req = NULL;
    invqr_soap_fault_t fault;
    invqr_soap_out_t *out = NULL;
    const char *ok = wrap(p, 11, NULL, LEVEL1);
    apr_size_t len = strlen(ok);
    double t0;
    apr_status_t rv;

    assert_non_null(body);
    /* a valid request padded with blanks: only its length is wrong */
    memset(body, ' ', big);
    memcpy(body, ok, len);
    t0 = now_seconds();
    rv = invqr_soap_parse(&req, &fault, body, big, CT11, NULL, p);
    assert_true(now_seconds() - t0 < 0.05);
    free(body);
    assert_int_equal(rv, APR_ENOSPC);
    assert_null(req);
    assert_int_equal(fault.http_status, 413);
    assert_int_equal(fault.code, INVQR_SOAP_BAD_REQUEST);
    assert_int_equal(invqr_soap_fault(&out, &fault, INVQR_LANG_EN, p), APR_SUCCESS);
    assert_int_equal(out->http_status, 413);

    /* the cap itself: INVQR_SOAP_MAX_BODY bytes are read, one more is not */
    body = apr_palloc(p, INVQR_SOAP_MAX_BODY + 1);
    memset(body, ' ', INVQR_SOAP_MAX_BODY + 1);
    memcpy(body, ok, len);
    assert_int_equal(invqr_soap_parse(&req, &fault, body, INVQR_SOAP_MAX_BODY, CT11, NULL, p),
                     APR_SUCCESS);
    assert_int_equal(invqr_soap_parse(&req, &fault, body, INVQR_SOAP_MAX_BODY + 1, CT11, NULL,
                                      p),
                     APR_ENOSPC);
}

static void test_not_xml(void **state)
{
    apr_pool_t *p = *state;
    static const char nul_inside[] = "<s:Envelope xmlns:s=\"" S11 "\">\0<s:Body/></s:Envelope>";
    invqr_soap_req_t *req = NULL;
    invqr_soap_fault_t fault;

    assert_refused(parse(p, "", CT11, NULL), 11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, "not xml", CT11, NULL), 11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, "<s:Envelope xmlns:s=\"" S11 "\"><s:Body>", CT11, NULL), 11,
                   INVQR_SOAP_FC_AUTO);
    /* an undeclared prefix: well-formed XML, not namespace-well-formed */
    assert_refused(parse(p, wrap(p, 11, NULL, "<q:VerifyLevel1/>"), CT11, NULL), 11,
                   INVQR_SOAP_FC_AUTO);
    /* Latin-1 bytes, whatever the declaration says */
    assert_refused(parse(p,
                         wrap(p, 11, NULL, op_level1(p, "caf\xe9", "X")), CT11, NULL),
                   11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p,
                         "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
                         "<s:Envelope xmlns:s=\"" S11 "\"><s:Body><inv:VerifyLevel1 xmlns:inv=\""
                         INVQR_SOAP_NS "\"><inv:code>caf\xe9</inv:code><inv:fiscalCode>X"
                         "</inv:fiscalCode></inv:VerifyLevel1></s:Body></s:Envelope>",
                         CT11, NULL),
                   11, INVQR_SOAP_FC_AUTO);
    assert_int_equal(invqr_soap_parse(&req, &fault, nul_inside, sizeof(nul_inside) - 1, CT11,
                                      NULL, p),
                     APR_EINVAL);
    /* processing instructions, anywhere */
    assert_refused(parse(p, apr_pstrcat(p, "<?php echo 1; ?>", bare(p, 11, NULL, LEVEL1), NULL),
                         CT11, NULL),
                   11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, NULL, op_level1(p, "A<?x y?>B", "X")), CT11, NULL), 11,
                   INVQR_SOAP_FC_AUTO);
    /* null arguments */
    assert_int_equal(invqr_soap_parse(&req, &fault, NULL, 0, CT11, NULL, p), APR_EINVAL);
    assert_int_equal(invqr_soap_parse(&req, NULL, "x", 1, CT11, NULL, p), APR_EINVAL);
}

/* ---- envelope structure ------------------------------------------------- */

static void test_structure(void **state)
{
    apr_pool_t *p = *state;
    static const struct {
        const char *why;
        const char *doc;
    } bad[] = {
        { "no Body", "<s:Envelope xmlns:s=\"" S11 "\"><s:Header/></s:Envelope>" },
        { "empty Body", "<s:Envelope xmlns:s=\"" S11 "\"><s:Body> </s:Body></s:Envelope>" },
        { "two Bodies",
          "<s:Envelope xmlns:s=\"" S11 "\" xmlns:inv=\"" INVQR_SOAP_NS "\"><s:Body><inv:VerifyLevel1>"
          "<inv:code>A</inv:code><inv:fiscalCode>B</inv:fiscalCode></inv:VerifyLevel1></s:Body>"
          "<s:Body/></s:Envelope>" },
        { "Header after Body",
          "<s:Envelope xmlns:s=\"" S11 "\"><s:Body/><s:Header/></s:Envelope>" },
        { "text in Envelope", "<s:Envelope xmlns:s=\"" S11 "\">x<s:Body/></s:Envelope>" },
        { "a stranger in Envelope",
          "<s:Envelope xmlns:s=\"" S11 "\"><s:Stranger/><s:Body/></s:Envelope>" },
        { "Body in another namespace",
          "<s:Envelope xmlns:s=\"" S11 "\"><s:Header/><Body/></s:Envelope>" },
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        result_t r = parse(p, bad[i].doc, CT11, NULL);

        if (r.rv == APR_SUCCESS) {
            fail_msg("accepted: %s", bad[i].why);
        }
        assert_refused(r, 11, INVQR_SOAP_FC_AUTO);
    }
}

static void test_operations_and_parameters(void **state)
{
    apr_pool_t *p = *state;
    static const char *const bad_body[] = {
        /* two operations */
        "<inv:VerifyLevel1><inv:code>A</inv:code><inv:fiscalCode>B</inv:fiscalCode>"
        "</inv:VerifyLevel1><inv:VerifyLevel1><inv:code>A</inv:code><inv:fiscalCode>B"
        "</inv:fiscalCode></inv:VerifyLevel1>",
        /* unknown operation */
        "<inv:VerifyLevel3><inv:code>A</inv:code><inv:fiscalCode>B</inv:fiscalCode>"
        "</inv:VerifyLevel3>",
        "<inv:VerifyLevel1Response/>",
        /* the right name in another or no namespace */
        "<o:VerifyLevel1 xmlns:o=\"urn:invqr:verify:2\"><o:code>A</o:code>"
        "<o:fiscalCode>B</o:fiscalCode></o:VerifyLevel1>",
        "<VerifyLevel1><code>A</code><fiscalCode>B</fiscalCode></VerifyLevel1>",
        /* unqualified parameters */
        "<inv:VerifyLevel1><code xmlns=\"\">A</code><fiscalCode xmlns=\"\">B</fiscalCode>"
        "</inv:VerifyLevel1>",
        /* missing, repeated, unknown, empty, element, text between */
        "<inv:VerifyLevel1><inv:code>A</inv:code></inv:VerifyLevel1>",
        "<inv:VerifyLevel1><inv:code>A</inv:code><inv:code>A</inv:code>"
        "<inv:fiscalCode>B</inv:fiscalCode></inv:VerifyLevel1>",
        "<inv:VerifyLevel1><inv:code>A</inv:code><inv:fiscalCode>B</inv:fiscalCode>"
        "<inv:otp>1</inv:otp></inv:VerifyLevel1>",
        "<inv:VerifyLevel1><inv:code> \n </inv:code><inv:fiscalCode>B</inv:fiscalCode>"
        "</inv:VerifyLevel1>",
        "<inv:VerifyLevel1><inv:code/><inv:fiscalCode>B</inv:fiscalCode></inv:VerifyLevel1>",
        "<inv:VerifyLevel1><inv:code><inv:x>A</inv:x></inv:code><inv:fiscalCode>B"
        "</inv:fiscalCode></inv:VerifyLevel1>",
        "<inv:VerifyLevel1>A<inv:code>A</inv:code><inv:fiscalCode>B</inv:fiscalCode>"
        "</inv:VerifyLevel1>",
        /* parameters of another operation */
        "<inv:VerifyLevel2><inv:code>A</inv:code><inv:fiscalCode>B</inv:fiscalCode>"
        "</inv:VerifyLevel2>",
        /* a Fault is not a request */
        "<s:Fault><faultcode>s:Client</faultcode><faultstring>x</faultstring></s:Fault>",
        /* text after the operation */
        "<inv:VerifyLevel1><inv:code>A</inv:code><inv:fiscalCode>B</inv:fiscalCode>"
        "</inv:VerifyLevel1>tail",
    };
    size_t i;

    for (i = 0; i < sizeof(bad_body) / sizeof(bad_body[0]); i++) {
        result_t r = parse(p, wrap(p, 12, NULL, bad_body[i]), CT12, NULL);

        if (r.rv == APR_SUCCESS) {
            fail_msg("accepted body %zu: %s", i, bad_body[i]);
        }
        assert_refused(r, 12, INVQR_SOAP_FC_AUTO);
    }
}

static void test_parameter_limits(void **state)
{
    apr_pool_t *p = *state;
    char c64[INVQR_SOAP_MAX_CODE + 2], otp16[INVQR_SOAP_MAX_OTP + 2];
    result_t r;

    memset(c64, 'C', sizeof(c64));
    c64[INVQR_SOAP_MAX_CODE] = '\0';
    memset(otp16, '7', sizeof(otp16));
    otp16[INVQR_SOAP_MAX_OTP] = '\0';

    r = parse(p, wrap(p, 11, NULL, op_level1(p, c64, c64)), CT11, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    assert_int_equal(strlen(r.req->code), INVQR_SOAP_MAX_CODE);
    /* blanks around do not count */
    r = parse(p, wrap(p, 11, NULL, op_level1(p, apr_pstrcat(p, "  ", c64, "\n", NULL), "X")),
              CT11, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    r = parse(p,
              wrap(p, 11, NULL,
                   apr_psprintf(p, "<inv:VerifyLevel2><inv:challengeId>%s</inv:challengeId>"
                                   "<inv:otp>%s</inv:otp></inv:VerifyLevel2>", c64, otp16)),
              CT11, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    assert_string_equal(r.req->otp, otp16);

    c64[INVQR_SOAP_MAX_CODE] = 'C';
    c64[INVQR_SOAP_MAX_CODE + 1] = '\0';
    otp16[INVQR_SOAP_MAX_OTP] = '7';
    otp16[INVQR_SOAP_MAX_OTP + 1] = '\0';
    assert_refused(parse(p, wrap(p, 11, NULL, op_level1(p, c64, "X")), CT11, NULL), 11,
                   INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, NULL, op_level1(p, "X", c64)), CT11, NULL), 11,
                   INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p,
                         wrap(p, 11, NULL,
                              apr_psprintf(p, "<inv:VerifyLevel2><inv:challengeId>x"
                                              "</inv:challengeId><inv:otp>%s</inv:otp>"
                                              "</inv:VerifyLevel2>", otp16)),
                         CT11, NULL),
                   11, INVQR_SOAP_FC_AUTO);
    /* an escaped character counts once, as the character it is */
    r = parse(p, wrap(p, 11, NULL, op_level1(p, "&lt;&amp;&gt;&quot;&apos;&#x41;", "X")), CT11,
              NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    assert_string_equal(r.req->code, "<&>\"'A");
}

static void test_headers(void **state)
{
    apr_pool_t *p = *state;
    invqr_soap_out_t *out = NULL;
    parsed_t d;
    result_t r;

    /* not marked, or not for us, or mustUnderstand="0": ignored */
    r = parse(p, wrap(p, 11, "<x:Trace xmlns:x=\"urn:x\">1</x:Trace>", LEVEL1), CT11, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    r = parse(p,
              wrap(p, 11, "<x:T xmlns:x=\"urn:x\" s:mustUnderstand=\"0\"/>"
                          "<x:U xmlns:x=\"urn:x\" s:mustUnderstand=\"1\" s:actor=\"urn:other\"/>",
                   LEVEL1),
              CT11, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    r = parse(p,
              wrap(p, 12, "<x:U xmlns:x=\"urn:x\" s:mustUnderstand=\"true\" "
                          "s:role=\"http://www.w3.org/2003/05/soap-envelope/role/none\"/>",
                   LEVEL1),
              CT12, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    /* wsse:Security marked mustUnderstand is understood */
    r = parse(p,
              wrap(p, 12,
                   "<wsse:Security xmlns:wsse=\"" INVQR_WSSE_NS "\" s:mustUnderstand=\"true\">"
                   "<wsse:UsernameToken><wsse:Username>u</wsse:Username></wsse:UsernameToken>"
                   "</wsse:Security>",
                   LEVEL2),
              CT12, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    assert_string_equal(r.req->token->username, "u");
    assert_int_equal(r.req->token->password_type, INVQR_WSSEC_PASSWORD_NONE);
    /* a Security header without a UsernameToken: no token */
    r = parse(p, wrap(p, 11, "<wsse:Security xmlns:wsse=\"" INVQR_WSSE_NS "\"/>", LEVEL2), CT11,
              NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    assert_null(r.req->token);

    /* a block for us, marked, not understood: MustUnderstand, both versions */
    r = parse(p,
              wrap(p, 11, "<x:Tx xmlns:x=\"urn:x:tx\" s:mustUnderstand=\"1\">1</x:Tx>", LEVEL1),
              CT11, NULL);
    assert_refused(r, 11, INVQR_SOAP_FC_MUST_UNDERSTAND);
    assert_int_equal(invqr_soap_fault(&out, &r.fault, INVQR_LANG_EN, p), APR_SUCCESS);
    d = reparse(out);
    assert_string_equal(xs(p, &d, "//faultcode"), "soap:MustUnderstand");
    unparse(&d);

    r = parse(p,
              wrap(p, 12, "<x:Tx xmlns:x=\"urn:x:tx\" s:mustUnderstand=\"true\" s:role=\""
                          "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver\"/>",
                   LEVEL1),
              CT12, NULL);
    assert_refused(r, 12, INVQR_SOAP_FC_MUST_UNDERSTAND);
    assert_int_equal(invqr_soap_fault(&out, &r.fault, INVQR_LANG_EN, p), APR_SUCCESS);
    d = reparse(out);
    assert_string_equal(xs(p, &d, "//s12:Fault/s12:Code/s12:Value"), "soap:MustUnderstand");
    assert_int_equal(xcount(p, &d, "/s12:Envelope/s12:Header/s12:NotUnderstood"), 1);
    assert_string_equal(xs(p, &d, "//s12:NotUnderstood/@qname"), "nu:Tx");
    assert_string_equal(xs(p, &d, "//s12:NotUnderstood/namespace::nu"), "urn:x:tx");
    unparse(&d);

    /* malformed headers */
    assert_refused(parse(p, wrap(p, 11, "<x:T xmlns:x=\"urn:x\" s:mustUnderstand=\"yes\"/>",
                                 LEVEL1),
                         CT11, NULL),
                   11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, "<T/>", LEVEL1), CT11, NULL), 11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, "text", LEVEL1), CT11, NULL), 11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p, wrap(p, 11, apr_pstrcat(p, TOKEN_DIGEST, TOKEN_DIGEST, NULL), LEVEL2),
                         CT11, NULL),
                   11, INVQR_SOAP_FC_AUTO);
    assert_refused(parse(p,
                         wrap(p, 11,
                              "<wsse:Security xmlns:wsse=\"" INVQR_WSSE_NS "\">"
                              "<wsse:UsernameToken><wsse:Username>u</wsse:Username>"
                              "<wsse:Password Type=\"#PasswordMD5\">x</wsse:Password>"
                              "</wsse:UsernameToken></wsse:Security>",
                              LEVEL2),
                         CT11, NULL),
                   11, INVQR_SOAP_FC_AUTO);
}

/* ---- answers ------------------------------------------------------------ */

static const invqr_soap_level1_t L1 = {
    "Maria Rossi", 1, 0, 1, 1, 0, INVQR_HANDICAP_ART3_C3,
};

static void test_respond_level1(void **state)
{
    apr_pool_t *p = *state;
    invqr_soap_out_t *out = NULL;
    int v;

    for (v = 11; v <= 12; v++) {
        const char *b = v == 12 ? "/s12:Envelope/s12:Body/inv:VerifyLevel1Response"
                                : "/s11:Envelope/s11:Body/inv:VerifyLevel1Response";
        parsed_t d;

        assert_int_equal(invqr_soap_respond_level1(&out, v, &L1, p), APR_SUCCESS);
        assert_int_equal(out->http_status, 200);
        assert_string_equal(out->content_type, invqr_soap_content_type(v));
        d = reparse(out);
        assert_int_equal(xcount(p, &d, b), 1);
        assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:name", NULL)), "Maria Rossi");
        assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:civilInvalidity", NULL)), "true");
        assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:minorInvalidity", NULL)), "false");
        assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:attendanceAllowance", NULL)),
                            "true");
        assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:civilBlindness", NULL)), "true");
        assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:deafness", NULL)), "false");
        assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:handicap", NULL)), "ART3_C3");
        /* nothing of the second level */
        assert_int_equal(xcount(p, &d, apr_pstrcat(p, b, "/*", NULL)), 7);
        assert_schema_valid(&d, v);
        unparse(&d);
    }
}

static void test_respond_escapes(void **state)
{
    apr_pool_t *p = *state;
    invqr_soap_out_t *out = NULL;
    invqr_soap_level1_t l1 = L1;
    invqr_soap_level2_t l2;
    result_t r;
    parsed_t d;

    /* markup typed into a parameter comes back as the same text */
    r = parse(p, wrap(p, 11, NULL, op_level1(p, "&lt;b&gt;&amp;amp;\"x\" 'y' &lt;/b&gt;]]&gt;",
                                             "X")),
              CT11, NULL);
    assert_int_equal(r.rv, APR_SUCCESS);
    assert_string_equal(r.req->code, EVIL);
    l1.name = r.req->code;
    assert_int_equal(invqr_soap_respond_level1(&out, 11, &l1, p), APR_SUCCESS);
    assert_null(strstr(out->body, "<b>"));
    d = reparse(out);
    assert_string_equal(xs(p, &d, "//inv:name"), EVIL);
    assert_int_equal(xcount(p, &d, "//b"), 0);
    unparse(&d);

    memset(&l2, 0, sizeof(l2));
    l2.first = l1;
    l2.medical_judgment = "</inv:medicalJudgment><inv:x>\r\n" EVIL;
    l2.invalidity_percent = 80;
    l2.blindness_degree = INVQR_BLIND_ABSOLUTE;
    l2.judgment_date = "2023-01-31";
    assert_int_equal(invqr_soap_respond_level2(&out, 12, &l2, p), APR_SUCCESS);
    d = reparse(out);
    assert_string_equal(xs(p, &d, "//inv:medicalJudgment"), l2.medical_judgment);
    assert_int_equal(xcount(p, &d, "//inv:x"), 0);
    unparse(&d);
}

static void test_respond_otp(void **state)
{
    apr_pool_t *p = *state;
    invqr_soap_out_t *out = NULL;
    parsed_t d;

    assert_int_equal(invqr_soap_respond_otp(&out, 12, "ch-<1>", 1714564800, "+39 333 *** **67",
                                            p),
                     APR_SUCCESS);
    assert_int_equal(out->http_status, 200);
    d = reparse(out);
    assert_string_equal(xs(p, &d, "/s12:Envelope/s12:Body/inv:RequestOtpResponse/inv:challengeId"),
                        "ch-<1>");
    assert_string_equal(xs(p, &d, "//inv:RequestOtpResponse/inv:expiresAt"),
                        "2024-05-01T12:00:00Z");
    assert_string_equal(xs(p, &d, "//inv:RequestOtpResponse/inv:maskedMobile"),
                        "+39 333 *** **67");
    assert_schema_valid(&d, 12);
    unparse(&d);

    assert_int_equal(invqr_soap_respond_otp(&out, 11, "", 1714564800, "x", p), APR_EINVAL);
    assert_null(out);
    assert_int_equal(invqr_soap_respond_otp(&out, 11, "c", -1, "x", p), APR_EINVAL);
    assert_int_equal(invqr_soap_respond_otp(&out, 11, "c", 0, NULL, p), APR_EINVAL);
    assert_int_equal(invqr_soap_respond_otp(&out, 13, "c", 0, "x", p), APR_EINVAL);
    assert_int_equal(invqr_soap_respond_otp(&out, 11, "c\x01", 0, "x", p), APR_EINVAL);
}

static invqr_soap_level2_t level2_sample(void)
{
    invqr_soap_level2_t l2;

    memset(&l2, 0, sizeof(l2));
    l2.first = L1;
    l2.medical_judgment = "Invalidit\xc3\xa0 civile al 100%.\nRivedibile.";
    l2.invalidity_percent = 100;
    l2.blindness_degree = INVQR_BLIND_PARTIAL;
    l2.judgment_date = "2023-02-28";
    l2.review_date = "2028-02-29";
    return l2;
}

static void test_respond_level2(void **state)
{
    apr_pool_t *p = *state;
    invqr_soap_out_t *out = NULL;
    invqr_soap_level2_t l2 = level2_sample();
    const char *b = "/s11:Envelope/s11:Body/inv:VerifyLevel2Response";
    parsed_t d;

    assert_int_equal(invqr_soap_respond_level2(&out, 11, &l2, p), APR_SUCCESS);
    d = reparse(out);
    assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:name", NULL)), "Maria Rossi");
    assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:handicap", NULL)), "ART3_C3");
    assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:medicalJudgment", NULL)),
                        l2.medical_judgment);
    assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:invalidityPercent", NULL)), "100");
    assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:blindnessDegree", NULL)), "PARTIAL");
    assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:judgmentDate", NULL)), "2023-02-28");
    assert_string_equal(xs(p, &d, apr_pstrcat(p, b, "/inv:reviewDate", NULL)), "2028-02-29");
    assert_int_equal(xcount(p, &d, apr_pstrcat(p, b, "/*", NULL)), 12);
    assert_schema_valid(&d, 11);
    unparse(&d);

    /* no percentage: xsi:nil; no review: no element */
    l2.invalidity_percent = -1;
    l2.review_date = NULL;
    assert_int_equal(invqr_soap_respond_level2(&out, 12, &l2, p), APR_SUCCESS);
    d = reparse(out);
    assert_string_equal(xs(p, &d, "//inv:invalidityPercent/@xsi:nil"), "true");
    assert_string_equal(xs(p, &d, "//inv:invalidityPercent"), "");
    assert_int_equal(xcount(p, &d, "//inv:reviewDate"), 0);
    assert_schema_valid(&d, 12);
    unparse(&d);
    l2.review_date = "";
    assert_int_equal(invqr_soap_respond_level2(&out, 12, &l2, p), APR_SUCCESS);
}

static void test_respond_refuses_bad_data(void **state)
{
    apr_pool_t *p = *state;
    invqr_soap_out_t *out = NULL;
    invqr_soap_level1_t l1 = L1;
    invqr_soap_level2_t l2;

    l1.name = "bad\x01name";
    assert_int_equal(invqr_soap_respond_level1(&out, 11, &l1, p), APR_EINVAL);
    l1.name = "bad \xc3";
    assert_int_equal(invqr_soap_respond_level1(&out, 11, &l1, p), APR_EINVAL);
    l1.name = "not \xef\xbf\xbe xml";
    assert_int_equal(invqr_soap_respond_level1(&out, 11, &l1, p), APR_EINVAL);
    l1.name = "";
    assert_int_equal(invqr_soap_respond_level1(&out, 11, &l1, p), APR_EINVAL);
    l1 = L1;
    l1.deafness = 2;
    assert_int_equal(invqr_soap_respond_level1(&out, 11, &l1, p), APR_EINVAL);
    l1 = L1;
    l1.handicap = (invqr_handicap_t)7;
    assert_int_equal(invqr_soap_respond_level1(&out, 11, &l1, p), APR_EINVAL);
    assert_int_equal(invqr_soap_respond_level1(&out, 11, NULL, p), APR_EINVAL);
    assert_null(out);

    l2 = level2_sample();
    l2.invalidity_percent = 101;
    assert_int_equal(invqr_soap_respond_level2(&out, 11, &l2, p), APR_EINVAL);
    l2 = level2_sample();
    l2.judgment_date = "2023-02-29";
    assert_int_equal(invqr_soap_respond_level2(&out, 11, &l2, p), APR_EINVAL);
    l2 = level2_sample();
    l2.review_date = "2028-13-01";
    assert_int_equal(invqr_soap_respond_level2(&out, 11, &l2, p), APR_EINVAL);
    l2 = level2_sample();
    l2.blindness_degree = INVQR_BLIND_NONE;     /* but civil_blindness is yes */
    assert_int_equal(invqr_soap_respond_level2(&out, 11, &l2, p), APR_EINVAL);
    l2 = level2_sample();
    l2.medical_judgment = "nul\x7f";
    assert_int_equal(invqr_soap_respond_level2(&out, 11, &l2, p), APR_EINVAL);
    assert_null(out);
}

/* ---- faults ------------------------------------------------------------- */

static void test_faults_every_code(void **state)
{
    apr_pool_t *p = *state;
    invqr_soap_out_t *out = NULL;
    invqr_soap_fault_t f;
    int c, v;

    for (c = 0; c < INVQR_SOAP__CODE_COUNT; c++) {
        int client = invqr_soap_code_is_client((invqr_soap_code_t)c);

        for (v = 11; v <= 12; v++) {
            parsed_t d;

            invqr_soap_fault_init(&f, v, (invqr_soap_code_t)c);
            assert_int_equal(invqr_soap_fault(&out, &f, INVQR_LANG_EN, p), APR_SUCCESS);
            assert_int_equal(out->http_status, 500);
            assert_string_equal(out->content_type, invqr_soap_content_type(v));
            d = reparse(out);
            if (v == 11) {
                assert_int_equal(xcount(p, &d, "/s11:Envelope/s11:Body/s11:Fault"), 1);
                assert_string_equal(xs(p, &d, "/s11:Envelope/s11:Body/s11:Fault/faultcode"),
                                    client ? "soap:Client" : "soap:Server");
                assert_true(strlen(xs(p, &d, "//s11:Fault/faultstring")) > 10);
                assert_string_equal(xs(p, &d, "//s11:Fault/faultstring/@xml:lang"), "en");
                assert_string_equal(xs(p, &d, "//s11:Fault/detail/inv:FaultDetail/inv:code"),
                                    invqr_soap_code_name((invqr_soap_code_t)c));
                /* unqualified, as SOAP 1.1 wants them */
                assert_int_equal(xcount(p, &d, "//s11:Fault/*[namespace-uri() != '']"), 0);
            }
            else {
                assert_string_equal(xs(p, &d, "/s12:Envelope/s12:Body/s12:Fault/s12:Code/"
                                              "s12:Value"),
                                    client ? "soap:Sender" : "soap:Receiver");
                assert_string_equal(xs(p, &d, "//s12:Fault/s12:Reason/s12:Text/@xml:lang"),
                                    "en");
                assert_true(strlen(xs(p, &d, "//s12:Fault/s12:Reason/s12:Text")) > 10);
                assert_string_equal(xs(p, &d, "//s12:Fault/s12:Detail/inv:FaultDetail/"
                                              "inv:code"),
                                    invqr_soap_code_name((invqr_soap_code_t)c));
                /* Code, Reason, Detail in this order */
                assert_string_equal(xs(p, &d, "name(//s12:Fault/*[1])"), "soap:Code");
                assert_string_equal(xs(p, &d, "name(//s12:Fault/*[2])"), "soap:Reason");
                assert_string_equal(xs(p, &d, "name(//s12:Fault/*[3])"), "soap:Detail");
                assert_int_equal(xcount(p, &d, "/s12:Envelope/s12:Header"), 0);
            }
            assert_schema_valid(&d, v);
            unparse(&d);
        }
    }
}

static void test_fault_italian_and_reason(void **state)
{
    apr_pool_t *p = *state;
    invqr_soap_out_t *out = NULL;
    invqr_soap_fault_t f;
    parsed_t d;

    invqr_soap_fault_init(&f, 12, INVQR_SOAP_OTP_EXPIRED);
    assert_int_equal(invqr_soap_fault(&out, &f, INVQR_LANG_IT, p), APR_SUCCESS);
    d = reparse(out);
    assert_string_equal(xs(p, &d, "//s12:Text/@xml:lang"), "it");
    assert_string_equal(xs(p, &d, "//s12:Text"), "Il codice OTP \xc3\xa8 scaduto.");
    unparse(&d);

    invqr_soap_fault_init(&f, 11, INVQR_SOAP_BAD_REQUEST);
    f.reason = "a parameter is <missing>";
    assert_int_equal(invqr_soap_fault(&out, &f, INVQR_LANG_EN, p), APR_SUCCESS);
    d = reparse(out);
    assert_non_null(strstr(xs(p, &d, "//faultstring"), "(a parameter is <missing>)"));
    unparse(&d);

    /* an explicit fault code wins over the machine code's */
    invqr_soap_fault_init(&f, 11, INVQR_SOAP_UNAVAILABLE);
    f.fcode = INVQR_SOAP_FC_CLIENT;
    assert_int_equal(invqr_soap_fault(&out, &f, INVQR_LANG_EN, p), APR_SUCCESS);
    d = reparse(out);
    assert_string_equal(xs(p, &d, "//faultcode"), "soap:Client");
    unparse(&d);

    f.code = INVQR_SOAP__CODE_COUNT;
    assert_int_equal(invqr_soap_fault(&out, &f, INVQR_LANG_EN, p), APR_EINVAL);
    assert_int_equal(invqr_soap_fault(&out, NULL, INVQR_LANG_EN, p), APR_EINVAL);
}

static void test_tables(void **state)
{
    int c;

    (void)state;
    for (c = 0; c < INVQR_SOAP__CODE_COUNT; c++) {
        assert_non_null(invqr_soap_code_name((invqr_soap_code_t)c));
        assert_int_equal(invqr_soap_code_is_client((invqr_soap_code_t)c),
                         c != INVQR_SOAP_UNAVAILABLE);
    }
    assert_string_equal(invqr_soap_code_name(INVQR_SOAP_FISCAL_CODE_MISMATCH),
                        "FISCAL_CODE_MISMATCH");
    assert_null(invqr_soap_code_name(INVQR_SOAP__CODE_COUNT));
    assert_string_equal(invqr_soap_op_name(INVQR_SOAP_OP_REQUEST_OTP), "RequestOtp");
    assert_string_equal(invqr_soap_op_action(INVQR_SOAP_OP_VERIFY_LEVEL2),
                        "urn:invqr:verify:1:VerifyLevel2");
    assert_null(invqr_soap_op_name(INVQR_SOAP_OP_NONE));
    assert_null(invqr_soap_op_action(INVQR_SOAP_OP__COUNT));
    assert_int_equal(invqr_soap_op_needs_auth(INVQR_SOAP_OP_VERIFY_LEVEL1), 0);
    assert_int_equal(invqr_soap_op_needs_auth(INVQR_SOAP_OP_REQUEST_OTP), 1);
    assert_int_equal(invqr_soap_op_needs_auth(INVQR_SOAP_OP_VERIFY_LEVEL2), 1);
    assert_string_equal(invqr_soap_content_type(11), "text/xml; charset=utf-8");
    assert_string_equal(invqr_soap_content_type(12), "application/soap+xml; charset=utf-8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_level1_soap11, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level1_soap12, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_otp_password_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_otp_password_digest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level2_both_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lenient_but_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_independent_clients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_action_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xxe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_billion_laughs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_elements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_costly_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_xml, setup, teardown),
        cmocka_unit_test_setup_teardown(test_structure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operations_and_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parameter_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_respond_level1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_respond_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_respond_otp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_respond_level2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_respond_refuses_bad_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults_every_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_italian_and_reason, setup, teardown),
        cmocka_unit_test(test_tables),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
