/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - libFuzzer target for the ModI security header (corelib/soap/invqr_modi.c).
 *
 * An input is a SOAP 1.1 body. It goes through invqr_soap_parse() as the
 * endpoint would; when the request is signed (the tree is kept), through
 * invqr_modi_read() and, when that accepts it, every later check: the
 * Timestamp at its own Created, wsa:To, the certificate's dates and the
 * signature itself with xmlsec (trust is the store's business, so here any
 * well-formed certificate is tried). Promises checked: a read message has a
 * fingerprint and a MessageID within its cap; a verified signature covers
 * what was required; a refusal always carries a reason. The seed corpus
 * holds a valid signed request (ECDSA P-256, made with the xmlsec1 command
 * line) and wrapped variants of it. One APR pool per input; APR, libxml2
 * and xmlsec are initialised once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <libxml/parser.h>

#include "invqr_modi.h"
#include "invqr_soap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            abort();                                                         \
        }                                                                    \
    } while (0)

static apr_pool_t *root_pool;

static void init_once(void)
{
    static int ready = 0;

    if (ready)
        return;
    if (apr_initialize() != APR_SUCCESS || apr_pool_create(&root_pool, NULL) != APR_SUCCESS)
        abort();
    xmlInitParser();
    if (invqr_modi_init() != 0)
        abort();
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = NULL;
    invqr_soap_req_t *req = NULL;
    invqr_soap_fault_t fault;
    invqr_modi_t *m = NULL;
    const char *reason = NULL;

    init_once();
    if (apr_pool_create(&p, root_pool) != APR_SUCCESS)
        abort();
    if (invqr_soap_parse(&req, &fault, (const char *)data, size, "text/xml", NULL, p)
            == APR_SUCCESS && req->doc != NULL) {
        if (invqr_modi_read(&m, &reason, req->doc, p) == APR_SUCCESS) {
            const char *msgid = invqr_modi_message_id(m);
            unsigned required = INVQR_MODI_SIGNED_TIMESTAMP;

            CHECK(m != NULL && reason == NULL && invqr_modi_fingerprint(m) != NULL);
            CHECK(msgid == NULL || (strlen(msgid) >= 1 && strlen(msgid) <= INVQR_MODI_MAX_MSGID));
            (void)invqr_modi_check_time(m, invqr_modi_expires(m));
            (void)invqr_modi_check_to(m, "https://invqr.example/soap");
            (void)invqr_modi_cert_current(m, invqr_modi_expires(m));
            if (invqr_modi_verify(m, required, &reason) == APR_SUCCESS)
                CHECK((invqr_modi_signed(m) & required) == required);
            else
                CHECK(reason != NULL);
        }
        else {
            CHECK(m == NULL && reason != NULL);
        }
    }
    apr_pool_destroy(p);
    return 0;
}
