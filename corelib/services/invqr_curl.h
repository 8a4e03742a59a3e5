/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - how invqr talks to a gateway (SMS, SMTP) with libcurl. */
#ifndef INVQR_CURL_H
#define INVQR_CURL_H

#include <curl/curl.h>

typedef enum {
    INVQR_CURL_HTTP,   /* http and https */
    INVQR_CURL_SMTP    /* smtp and smtps */
} invqr_curl_proto_t;

/** Sets up handle h for url: only proto's two schemes, TLS 1.2 or later
 * with the peer's certificate and name verified (against ca_file when not
 * NULL, the system's store otherwise), no signals, at most connect_ms to
 * connect and total_ms in all. CURLE_OK, or the first option refused. */
CURLcode invqr_curl_setup(CURL *h, const char *url, invqr_curl_proto_t proto,
                          const char *ca_file, long connect_ms, long total_ms);

#endif
