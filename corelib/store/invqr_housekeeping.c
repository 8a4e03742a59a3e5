/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - sweeping the rows that only matter for a while.
 *
 * The time of the last sweep is the process's only shared state here, an
 * atomic: the thread that moves it forward with compare-and-swap is the one
 * that sweeps, so two threads never sweep at once and nobody waits.
 */
#include <stdatomic.h>

#include "invqr_housekeeping.h"
#include "invqr_log.h"
#include "invqr_pdf_copy.h"

static _Atomic long long last_sweep;

/* the LIMIT of each purge statement (invqr_sql.def), and how many bites of
 * it one sweep takes at most */
#define BITE 5000
#define BITES 20

static const struct {
    invqr_sql_t sql;
    const char *what;
} sweeps[] = {
    { INVQR_SQL_CLIENT_PURGE, "sign-in throttle windows" },
    { INVQR_SQL_VERIFY_CLIENT_PURGE, "verification client windows" },
    { INVQR_SQL_SOAP_NONCE_PURGE, "digest nonces" },
    { INVQR_SQL_SOAP_MESSAGE_ID_PURGE, "signed requests' message ids" },
    { INVQR_SQL_PDND_JTI_PURGE, "PDND vouchers' jti" },
    { INVQR_SQL_OTP_PURGE, "OTP challenges" },
    { INVQR_SQL_SESSION_MATCH_PURGE, "first-level matches of ended sessions" },
    { INVQR_SQL_OPERATOR_CLIENT_PURGE, "operators' known sign-in addresses" },
    { INVQR_SQL_MAIL_QUOTA_PURGE, "e-mail counts of past days" },
};

int invqr_housekeeping_due(time_t now)
{
    long long last = atomic_load(&last_sweep);

    if (last != 0 && (long long)now - last < INVQR_HOUSEKEEPING_SECONDS)
        return 0;
    /* only the thread that moves the time forward sweeps */
    return atomic_compare_exchange_strong(&last_sweep, &last, (long long)now);
}

int invqr_housekeeping_sweep(invqr_db_t *db, const invqr_conf_t *conf)
{
    unsigned long long n;
    size_t i;
    long files;
    int rc = 0;

    if (conf->pdf_copies_dir != NULL) {
        files = invqr_pdf_copy_sweep(conf->pdf_copies_dir,
                                     time(NULL) - INVQR_PDF_COPY_DAYS * 86400L);
        if (files < 0)
            rc = -1;
        else if (files > 0)
            invqr_log(INVQR_LOG_INFO, "swept %ld PDF copies", files);
    }
    if (db == NULL)
        return -1;
    for (i = 0; i < sizeof(sweeps) / sizeof(sweeps[0]); i++) {
        unsigned long long total = 0;
        int round;

        /* bites of BITE rows, a few of them: a backlog is worked off over
         * the next sweeps rather than in one long stall */
        for (round = 0; round < BITES; round++) {
            n = 0;
            if (invqr_db_exec(db, sweeps[i].sql, NULL, NULL, NULL, NULL, &n) != APR_SUCCESS) {
                invqr_log(INVQR_LOG_WARN, "INVQR0014: sweeping %s failed", sweeps[i].what);
                rc = -1;
                break;
            }
            total += n;
            if (n < BITE)
                break;
        }
        if (total > 0)
            invqr_log(INVQR_LOG_INFO, "swept %llu %s", total, sweeps[i].what);
    }
    return rc;
}
