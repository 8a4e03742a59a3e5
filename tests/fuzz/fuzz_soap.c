/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - libFuzzer target for the SOAP request reader (corelib/soap/invqr_soap.c).
 *
 * An input is a small HTTP-like message: header lines "Content-Type: ..."
 * and "SOAPAction: ..." (others ignored), an empty line, then the body; an
 * input that does not start with a header line is all body, sent without
 * any header. It goes through invqr_soap_parse(). An accepted request must
 * keep every promise of invqr_soap.h - a known version and operation, its
 * parameters present, trimmed, non-empty and within their caps, a token
 * within its caps - and a refused one must come with a complete fault.
 * Either way the fault built for it must be well-formed XML whose root is
 * the Envelope of its version. The token goes through the digest and
 * freshness checks too. One APR pool per input; libxml2 and APR are
 * initialised once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "invqr_soap.h"
#include "invqr_wssec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            abort();                                                         \
        }                                                                    \
    } while (0)

#define HEADER_MAX 2048

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A parameter as promised: present, non-empty, trimmed, within max. */
static void check_param(const char *s, size_t max)
{
    size_t len;

    CHECK(s != NULL);
    len = strlen(s);
    CHECK(len >= 1 && len <= max);
    CHECK(!is_blank(s[0]) && !is_blank(s[len - 1]));
}

static void check_token(const invqr_wssec_token_t *t)
{
    size_t len;

    CHECK(t->username != NULL);
    len = strlen(t->username);
    CHECK(len >= 1 && len <= INVQR_WSSEC_USERNAME_MAX);
    switch (t->password_type) {
    case INVQR_WSSEC_PASSWORD_NONE:
        CHECK(t->password == NULL);
        break;
    case INVQR_WSSEC_PASSWORD_TEXT:
        CHECK(t->password != NULL && t->password_len <= INVQR_WSSEC_PASSWORD_MAX);
        CHECK(strlen(t->password) == t->password_len);
        break;
    case INVQR_WSSEC_PASSWORD_DIGEST:
        CHECK(t->password != NULL && t->password_len == INVQR_WSSEC_DIGEST_LEN);
        break;
    default:
        CHECK(0);
    }
    CHECK((t->nonce == NULL) == (t->nonce_len == 0));
    CHECK(t->nonce_len <= INVQR_WSSEC_NONCE_MAX);
    if (t->created != NULL) {
        time_t again;

        CHECK(invqr_wssec_parse_time(&again, t->created, strlen(t->created)) == 0);
        CHECK(again == t->created_time);
    }
    /* whatever was sent, "x" is not its password unless the digest says so */
    (void)invqr_wssec_digest_ok(t, "x");
    (void)invqr_wssec_fresh(t, t->created_time, INVQR_WSSEC_DEFAULT_SKEW);
}

/* The fault must serialise to a well-formed Envelope of its version. */
static void check_fault_out(const invqr_soap_fault_t *f, apr_pool_t *p)
{
    invqr_soap_out_t *out = NULL;
    xmlDocPtr doc;
    xmlNodePtr root;
    const char *ns = f->version == 12 ? INVQR_SOAP12_ENV_NS : INVQR_SOAP11_ENV_NS;

    CHECK(invqr_soap_fault(&out, f, INVQR_LANG_EN, p) == APR_SUCCESS);
    CHECK(out != NULL && out->body != NULL && out->len == strlen(out->body));
    CHECK(out->http_status == 500 || out->http_status == 413);
    doc = xmlReadMemory(out->body, (int)out->len, NULL, "UTF-8",
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    CHECK(doc != NULL);
    root = xmlDocGetRootElement(doc);
    CHECK(root != NULL && root->ns != NULL && strcmp((const char *)root->ns->href, ns) == 0);
    xmlFreeDoc(doc);
}

/* Copy the value of a header line into buf (NUL-terminated, capped). */
static const char *header_value(char *buf, const uint8_t *s, size_t len)
{
    size_t n = 0;

    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && n < HEADER_MAX - 1) {
        if (*s == '\0') {
            break;              /* a header value is a C string */
        }
        buf[n++] = (char)*s++;
        len--;
    }
    while (n > 0 && buf[n - 1] == '\r') {
        n--;
    }
    buf[n] = '\0';
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* APR and libxml2 are initialised once per process; a fuzz harness may
     * keep this one flag. */
    static int ready = 0;
    char ct_buf[HEADER_MAX], sa_buf[HEADER_MAX];
    const char *content_type = NULL, *soap_action = NULL;
    const uint8_t *body = data;
    size_t body_len = size;
    apr_pool_t *p = NULL;
    invqr_soap_req_t *req = NULL;
    invqr_soap_fault_t fault;
    apr_status_t rv;

    if (!ready) {
        if (apr_initialize() != APR_SUCCESS) {
            abort();
        }
        atexit(apr_terminate);
        xmlInitParser();
        ready = 1;
    }
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        abort();
    }

    /* header lines, up to an empty line */
    if (size > 0 && ((data[0] >= 'A' && data[0] <= 'Z') || (data[0] >= 'a' && data[0] <= 'z'))) {
        const uint8_t *s = data, *end = data + size;

        while (s < end) {
            const uint8_t *nl = memchr(s, '\n', (size_t)(end - s));
            size_t line = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);

            if (line == 0 || (line == 1 && s[0] == '\r')) {
                s = nl != NULL ? nl + 1 : end;
                break;
            }
            if (line >= 13 && strncasecmp((const char *)s, "Content-Type:", 13) == 0) {
                content_type = header_value(ct_buf, s + 13, line - 13);
            }
            else if (line >= 11 && strncasecmp((const char *)s, "SOAPAction:", 11) == 0) {
                soap_action = header_value(sa_buf, s + 11, line - 11);
            }
            s = nl != NULL ? nl + 1 : end;
        }
        body = s;
        body_len = (size_t)(end - s);
    }

    memset(&fault, 0xA5, sizeof(fault));
    rv = invqr_soap_parse(&req, &fault, (const char *)body, body_len, content_type,
                          soap_action, p);
    CHECK(fault.version == 11 || fault.version == 12);
    if (rv == APR_SUCCESS) {
        CHECK(req != NULL);
        CHECK(req->version == 11 || req->version == 12);
        switch (req->op) {
        case INVQR_SOAP_OP_VERIFY_LEVEL1:
        case INVQR_SOAP_OP_REQUEST_OTP:
            check_param(req->code, INVQR_SOAP_MAX_CODE);
            check_param(req->fiscal_code, INVQR_SOAP_MAX_FISCAL_CODE);
            CHECK(req->challenge_id == NULL && req->otp == NULL);
            break;
        case INVQR_SOAP_OP_VERIFY_LEVEL2:
            check_param(req->challenge_id, INVQR_SOAP_MAX_CHALLENGE_ID);
            check_param(req->otp, INVQR_SOAP_MAX_OTP);
            CHECK(req->code == NULL && req->fiscal_code == NULL);
            break;
        default:
            CHECK(0);
        }
        if (req->token != NULL) {
            check_token(req->token);
        }
        invqr_soap_fault_init(&fault, req->version, INVQR_SOAP_UNKNOWN_CODE);
        check_fault_out(&fault, p);
    }
    else {
        CHECK(req == NULL);
        CHECK(rv == APR_EINVAL || rv == APR_ENOSPC || rv == APR_ENOMEM);
        CHECK(fault.reason != NULL);
        CHECK(fault.code == INVQR_SOAP_BAD_REQUEST || fault.code == INVQR_SOAP_UNAVAILABLE);
        CHECK(fault.fcode >= INVQR_SOAP_FC_AUTO && fault.fcode <= INVQR_SOAP_FC_MUST_UNDERSTAND);
        CHECK((rv == APR_ENOSPC) == (fault.http_status == 413));
        check_fault_out(&fault, p);
    }

    apr_pool_destroy(p);
    return 0;
}
