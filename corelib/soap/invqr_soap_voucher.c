/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - PDND vouchers on the SOAP endpoint (invqr_soap_voucher.h).
 *
 * The order: the voucher itself (signature, issuer, audience, times) before
 * the store is asked anything; then its purpose; the jti is recorded only
 * once everything else about the request's caller holds, so that a voucher
 * sent with a request refused for another reason is not used up.
 */
#include <string.h>
#include <time.h>

#include <apr_strings.h>

#include "invqr_audit.h"
#include "invqr_crypto.h"
#include "invqr_log.h"
#include "invqr_soap_voucher.h"

static void audit_voucher(invqr_app_t *app, invqr_db_t *db, const invqr_request_t *req,
                          long long org_id, const char *outcome, const char *detail)
{
    invqr_audit_t a;

    memset(&a, 0, sizeof(a));
    a.actor = "operator";
    a.org_id = org_id;
    a.client = req->client;
    a.event = "login";
    a.outcome = outcome;
    a.detail = detail != NULL ? detail : "soap-pdnd";
    if (invqr_audit_write(db, &a) != APR_SUCCESS)
        invqr_app_db_failed(app);
}

invqr_sv_rc invqr_soap_voucher_read(invqr_soap_voucher_t *sv, const char **preason,
                                    invqr_app_t *app, invqr_db_t *db,
                                    const invqr_request_t *req)
{
    const invqr_conf_t *conf = app->conf;
    invqr_binds_t in, out;
    unsigned long long rows = 0;
    const char *why = NULL;

    memset(sv, 0, sizeof(*sv));
    *preason = NULL;
    /* no voucher, or a deployment that does not take them: nothing to read */
    if (req->voucher == NULL || app->voucher_keys == NULL)
        return INVQR_SV_OK;
    if (req->voucher[0] == '\0')
        why = "the Authorization header holds no well-formed Bearer token";
    else if (invqr_voucher_check(&sv->v, &why, req->voucher, strlen(req->voucher),
                                 app->voucher_keys, conf->pdnd_issuer, conf->pdnd_audience,
                                 time(NULL)) != APR_SUCCESS && why == NULL)
        why = "the voucher cannot be checked";
    if (why != NULL) {
        invqr_log(INVQR_LOG_NOTICE, "INVQR0225: PDND voucher refused: %s", why);
        audit_voucher(app, db, req, 0, "bad_voucher", NULL);
        *preason = why;
        return INVQR_SV_REFUSED;
    }
    invqr_binds_init(&in);
    invqr_bind_str(&in, sv->v.purpose_id, strlen(sv->v.purpose_id));
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &sv->org_id);
    invqr_bind_out_str(&out, sv->org_name, sizeof(sv->org_name));
    if (invqr_db_exec(db, INVQR_SQL_PDND_PURPOSE_FIND, &in, &out, NULL, NULL, &rows)
        != APR_SUCCESS) {
        invqr_app_db_failed(app);
        return INVQR_SV_UNAVAILABLE;
    }
    if (rows == 0) {
        invqr_log(INVQR_LOG_NOTICE, "INVQR0226: PDND voucher for a purpose no organisation has");
        audit_voucher(app, db, req, 0, "unknown_purpose", NULL);
        *preason = "the voucher's purposeId is not registered for an organisation";
        return INVQR_SV_REFUSED;
    }
    sv->present = 1;
    return INVQR_SV_OK;
}

invqr_sv_rc invqr_soap_voucher_gate(const invqr_soap_voucher_t *sv, const char **preason,
                                    invqr_app_t *app, invqr_db_t *db,
                                    const invqr_request_t *req, long long org_id, apr_pool_t *p)
{
    invqr_binds_t in, out;
    unsigned long long rows = 0;

    *preason = NULL;
    if (!sv->present) {
        long long required = 0;

        if (org_id == 0)
            return INVQR_SV_OK;
        invqr_binds_init(&in);
        invqr_bind_int(&in, org_id);
        invqr_binds_init(&out);
        invqr_bind_out_int(&out, &required);
        if (invqr_db_exec(db, INVQR_SQL_ORG_VOUCHER_REQUIRED, &in, &out, NULL, NULL, &rows)
            != APR_SUCCESS) {
            invqr_app_db_failed(app);
            return INVQR_SV_UNAVAILABLE;
        }
        if (rows > 0 && required) {
            invqr_log(INVQR_LOG_NOTICE, "INVQR0229: SOAP request without the PDND voucher its "
                      "organisation must send");
            audit_voucher(app, db, req, org_id, "voucher_required", NULL);
            *preason = "this organisation must send a PDND voucher (Authorization: Bearer)";
            return INVQR_SV_REFUSED;
        }
        return INVQR_SV_OK;
    }
    if (org_id != 0 && org_id != sv->org_id) {
        invqr_log(INVQR_LOG_NOTICE, "INVQR0227: PDND voucher of another organisation than the "
                  "request's");
        audit_voucher(app, db, req, org_id, "voucher_other_org", NULL);
        *preason = "the voucher's purpose belongs to another organisation";
        return INVQR_SV_REFUSED;
    }
    if (app->conf->pdnd_voucher_single_use) {
        unsigned char h[INVQR_SHA256_LEN];

        /* a voucher is good once, on any node, until it expires */
        invqr_sha256(h, sv->v.jti, strlen(sv->v.jti));
        invqr_binds_init(&in);
        invqr_bind_bin(&in, h, sizeof(h));
        invqr_bind_int(&in, sv->v.exp + INVQR_VOUCHER_SKEW);
        if (invqr_db_exec(db, INVQR_SQL_PDND_JTI_ADD, &in, NULL, NULL, NULL, NULL)
            != APR_SUCCESS) {
            /* 1062: seen before; 1213: on Galera, the same jti certified by
             * another node at the same moment - a replay either way */
            if (invqr_db_errno(db) == 1062 || invqr_db_errno(db) == 1213) {
                invqr_log(INVQR_LOG_NOTICE, "INVQR0228: PDND voucher replayed");
                audit_voucher(app, db, req, sv->org_id, "replayed", NULL);
                return INVQR_SV_REPLAYED;
            }
            invqr_app_db_failed(app);
            return INVQR_SV_UNAVAILABLE;
        }
    }
    /* what PDND's tracing asks the provider to keep: which voucher (jti),
     * for which purpose and client, was spent on this call */
    audit_voucher(app, db, req, sv->org_id, "ok",
                  apr_psprintf(p, "soap-pdnd purpose=%s client=%s jti=%s", sv->v.purpose_id,
                               sv->v.client_id, sv->v.jti));
    return INVQR_SV_OK;
}
