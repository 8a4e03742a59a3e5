/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the home page (GET /).
 *
 * Says what the service is (an attestation of civil-invalidity status as a
 * QR code, generated in real time, that spares the holder from showing the
 * medical report), what citizens can do in the citizen area and what a
 * verifier sees, how verifiers check a code at the first level, how
 * organisations get to the second level, and where the list of benefits is.
 */
#ifndef INVQR_HOME_H
#define INVQR_HOME_H

#include <apr_pools.h>
#include "invqr_page.h"

/**
 * The home page in ctx's language, built on invqr_page_new(); serialize it
 * with invqr_page_render(). Allocated from p, with nothing to free. NULL
 * only if p is NULL or out of memory.
 */
invqr_page_t *invqr_home_page(const invqr_page_ctx_t *ctx, apr_pool_t *p);

#endif
