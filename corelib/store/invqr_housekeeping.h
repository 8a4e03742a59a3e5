/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - sweeping the rows that only matter for a while.
 *
 * Throttling windows, digest nonces, OTP challenges, the first-level
 * matches of ended sessions and old PDF copies would otherwise pile up for ever.
 * There is no timer thread: a worker thread that has just answered a request
 * asks invqr_housekeeping_due(), and once every INVQR_HOUSEKEEPING_SECONDS
 * in the process one of them sweeps, in bounded bites, after its answer has
 * gone. Every node sweeps; the DELETEs are idempotent, so that is harmless.
 */
#ifndef INVQR_HOUSEKEEPING_H
#define INVQR_HOUSEKEEPING_H

#include <time.h>

#include "invqr_conf.h"
#include "invqr_db.h"

#define INVQR_HOUSEKEEPING_SECONDS 300
#define INVQR_PDF_COPY_DAYS 7

/** Whether the caller is to sweep now: true for exactly one caller once
 * this process has not swept for INVQR_HOUSEKEEPING_SECONDS (and at its
 * first call). Thread-safe, never waits. */
int invqr_housekeeping_due(time_t now);

/** Sweep with db, and the PDF copies of conf's pdf_copies_dir older than
 * INVQR_PDF_COPY_DAYS (made again on demand): 0, or -1 if a sweep failed
 * (logged; the next period tries again). */
int invqr_housekeeping_sweep(invqr_db_t *db, const invqr_conf_t *conf);

#endif
