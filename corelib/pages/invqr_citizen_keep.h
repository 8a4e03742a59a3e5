/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the citizen page's help on keeping and showing the attestation. */
#ifndef INVQR_CITIZEN_KEEP_H
#define INVQR_CITIZEN_KEEP_H

#include "invqr_app.h"
#include "invqr_page.h"

/**
 * Append to main the ways to keep and show the attestation (download,
 * print, show on screen, share, e-mail when the deployment sends e-mail)
 * and how a verifier reads it.
 */
void invqr_citizen_keep_section(invqr_page_t *pg, invqr_el_t *main, const invqr_app_t *app);

#endif
