/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - what a holder chose for themselves (holder_preference): for now
 * the language of the consent SMS, which is the holder's, not the
 * operator's who asked for the second level. */
#ifndef INVQR_HOLDER_PREF_H
#define INVQR_HOLDER_PREF_H

#include <apr_errno.h>

#include "invqr_db.h"
#include "invqr_i18n.h"

/**
 * The language the holder fc chose for SMS into *plang: Italian when they
 * never chose (or the stored value is not one of ours). APR_SUCCESS, or
 * APR_EGENERAL when the store fails (*plang is Italian then).
 */
apr_status_t invqr_holder_sms_lang(invqr_lang_t *plang, invqr_db_t *db, const char *fc);

/** Record lang as the holder fc's SMS language. APR_EGENERAL on failure. */
apr_status_t invqr_holder_sms_lang_set(invqr_db_t *db, const char *fc, invqr_lang_t lang);

#endif
