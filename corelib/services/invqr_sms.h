/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the SMS that asks the citizen's consent, and the gateway that sends it.
 *
 * invqr_sms_text() builds the consent message of the second level: it names
 * the organisation that asks, gives the one-time code and how long it is
 * valid, and says to read it out only to let that organisation see the
 * medical judgment and the percentage; it never holds the citizen's data.
 * A gateway, chosen by one configuration string, delivers it: "spool:DIR"
 * drops one smstools3 outgoing file per message into DIR (written under a
 * name smsd ignores, fsync'ed, then renamed), "http://URL" or "https://URL"
 * posts "to=...&text=..." to a provider with libcurl, with timeouts, TLS
 * verification always on and no redirects. Nothing here includes httpd or
 * libfcgi headers, and nothing here logs: failures come back as a short
 * reason that never holds the message or the phone number.
 */
#ifndef INVQR_SMS_H
#define INVQR_SMS_H

#include <apr_errno.h>
#include <apr_pools.h>

#include "invqr_i18n.h"

/** Most characters of a message built by invqr_sms_text(), counted as GSM
 * 03.38 septets (an extension-table character such as '{' or the euro sign
 * counts twice): two concatenated SMS. */
#define INVQR_SMS_MAX_CHARS 320

/** Most bytes of a text invqr_sms_send() accepts. */
#define INVQR_SMS_MAX_TEXT_BYTES 2048

/** Default timeouts of an http(s) gateway, in milliseconds. */
#define INVQR_SMS_HTTP_CONNECT_MS 2000
#define INVQR_SMS_HTTP_TOTAL_MS   5000

/** Most bytes of a gateway's answer read (and discarded) before giving up. */
#define INVQR_SMS_HTTP_MAX_ANSWER (64 * 1024)

typedef struct invqr_sms_gateway_t invqr_sms_gateway_t;

/**
 * Build the consent SMS in lang (English, German, else Italian).
 *
 * org_name is cleaned first: invalid UTF-8 becomes '?', control and
 * invisible formatting characters (bidi overrides, zero-width spaces) are
 * dropped, line breaks, tabs and Unicode spaces become one space,
 * typographic quotes and dashes become their ASCII forms, and Latin letters
 * outside the GSM 03.38 basic set lose their accent (Italian's à è é ì ò ù
 * stay). When the message would exceed INVQR_SMS_MAX_CHARS, the name is cut
 * and ends with "...". otp must be exactly 6 ASCII digits and minutes
 * between 1 and 1440.
 *
 * *pout (NUL-terminated UTF-8, from p) is NULL on failure. Returns
 * APR_EINVAL for a bad otp or minutes, or a name that is empty once
 * cleaned; APR_ENOMEM when p runs dry.
 */
apr_status_t invqr_sms_text(const char **pout, invqr_lang_t lang, const char *org_name,
                            const char *otp, int minutes, apr_pool_t *p);

/**
 * Parse a gateway specification: "spool:DIR" with DIR an absolute path
 * (not checked for existence here), or an "http://" or "https://" URL (the
 * scheme in any case; plain ASCII without spaces, with a host, as libcurl's
 * URL parser reads it). At most 1024 bytes, no control characters. The
 * gateway and everything it holds live in p; it is immutable once
 * configured and may then be shared by threads.
 *
 * On failure *pout is NULL, *perr (when perr is not NULL) is a short static
 * reason that never repeats spec (a URL may hold a key), and the result is
 * APR_EINVAL.
 */
apr_status_t invqr_sms_gateway_parse(invqr_sms_gateway_t **pout, const char **perr,
                                     const char *spec, apr_pool_t *p);

/**
 * Set the connect and total timeouts of an http(s) gateway, in milliseconds
 * (1 to 60000 each; connect_ms is capped at total_ms). Ignored by a spool
 * gateway. Call it while configuring, before the gateway is shared.
 * Returns APR_EINVAL (and changes nothing) for a value out of range.
 */
apr_status_t invqr_sms_gateway_set_timeouts(invqr_sms_gateway_t *gw, long connect_ms,
                                            long total_ms);

/**
 * Trust the PEM certificates in ca_file (an absolute path, copied into the
 * gateway's pool) instead of the system store for an https gateway, for a
 * provider behind a private CA. Peer and host verification stay on. NULL
 * goes back to the system store. Returns APR_EINVAL for a relative path.
 */
apr_status_t invqr_sms_gateway_set_ca_file(invqr_sms_gateway_t *gw, const char *ca_file);

/**
 * Send text (UTF-8, 1 to INVQR_SMS_MAX_TEXT_BYTES bytes) to e164, a number
 * written as '+' and 8 to 15 digits, the first not 0 ("+393331234567").
 *
 * spool: writes DIR/.invqr-XXXXXX.LOCK (mkostemps, mode 0640; smsd skips
 * names that hold ".LOCK"), as "To: 393331234567", an empty line and the
 * text converted to ISO-8859-15 (smstools3's default alphabet for files
 * without an "Alphabet:" header; a character it lacks becomes '?'; no
 * newline is added after the text), fsyncs
 * it, renames it to DIR/invqr-<microseconds>-<pid>-<random> and fsyncs DIR.
 * On any failure the temporary file is removed.
 *
 * http(s): one POST per call on its own easy handle, body
 * "to=393331234567&text=<percent-encoded UTF-8>", with
 * application/x-www-form-urlencoded; success only on a 2xx answer, whose
 * body is discarded (at most INVQR_SMS_HTTP_MAX_ANSWER bytes are read).
 * Redirects are not followed. Proxies come from the usual environment
 * variables, as libcurl reads them.
 *
 * The program must call curl_global_init(CURL_GLOBAL_DEFAULT) once at
 * start-up, before any thread is started (and may call curl_global_cleanup()
 * at exit); invqr_sms_send() never does it, and is then safe to call from
 * any number of threads at once.
 *
 * Returns APR_SUCCESS and sets *perr to NULL, or fails with *perr (when
 * perr is not NULL) set to a short reason, static or from p, that never
 * holds the text or the number: APR_EINVAL for a bad number or text,
 * APR_TIMEUP when the gateway timed out, the OS error of the spool's
 * file system calls, APR_EGENERAL for any other gateway failure.
 */
apr_status_t invqr_sms_send(invqr_sms_gateway_t *gw, const char *e164, const char *text,
                            const char **perr, apr_pool_t *p);

#endif
