/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - an in-process cache of rendered attestation PDFs.
 *
 * SLOTS entries, each behind its own mutex, chosen by the key's digest:
 * concurrent downloads of different attestations rarely share a lock, and
 * memory stays bounded (SLOTS x the largest PDF).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "invqr_crypto.h"
#include "invqr_pdf_cache.h"

#define SLOTS 512

typedef struct {
    pthread_mutex_t lock;
    unsigned char digest[INVQR_SHA256_LEN];
    char *pdf;                 /* malloc'd, owned by the slot */
    apr_size_t len;
} slot_t;

/* Shared by the worker's threads; every access holds the slot's mutex. */
static slot_t slots[SLOTS] = {
#define S10 { PTHREAD_MUTEX_INITIALIZER, { 0 }, NULL, 0 }
    [0 ... SLOTS - 1] = S10
#undef S10
};

const char *invqr_pdf_cache_get(apr_size_t *plen, const char *key, apr_pool_t *p)
{
    unsigned char d[INVQR_SHA256_LEN];
    slot_t *s;
    char *copy = NULL;

    *plen = 0;
    invqr_sha256(d, key, strlen(key));
    s = &slots[(d[0] | d[1] << 8) % SLOTS];
    pthread_mutex_lock(&s->lock);
    if (s->pdf != NULL && memcmp(s->digest, d, sizeof(d)) == 0) {
        copy = apr_pmemdup(p, s->pdf, s->len);
        *plen = s->len;
    }
    pthread_mutex_unlock(&s->lock);
    return copy;
}

void invqr_pdf_cache_put(const char *key, const char *pdf, apr_size_t len)
{
    unsigned char d[INVQR_SHA256_LEN];
    slot_t *s;
    char *copy = malloc(len);

    if (copy == NULL)
        return;   /* only a cache */
    memcpy(copy, pdf, len);
    invqr_sha256(d, key, strlen(key));
    s = &slots[(d[0] | d[1] << 8) % SLOTS];
    pthread_mutex_lock(&s->lock);
    free(s->pdf);
    s->pdf = copy;
    s->len = len;
    memcpy(s->digest, d, sizeof(d));
    pthread_mutex_unlock(&s->lock);
}
