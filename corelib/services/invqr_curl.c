/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the options every libcurl handle of invqr's starts with: the
 * gateways (SMS, SMTP) differ in what they send, not in how far they are
 * trusted or how long they may take. */
#include "invqr_curl.h"

CURLcode invqr_curl_setup(CURL *h, const char *url, invqr_curl_proto_t proto,
                          const char *ca_file, long connect_ms, long total_ms)
{
    CURLcode cc = curl_easy_setopt(h, CURLOPT_URL, url);

#if LIBCURL_VERSION_NUM >= 0x075500
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
                              proto == INVQR_CURL_SMTP ? "smtp,smtps" : "http,https");
#else
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_PROTOCOLS,
                              proto == INVQR_CURL_SMTP ? (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS)
                                                       : (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (cc == CURLE_OK && ca_file != NULL)
        cc = curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
    return cc;
}
