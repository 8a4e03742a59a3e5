/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of QR symbols (corelib/pdf/invqr_qr.c).
 *
 * The upper-case attestation URL must go into alphanumeric mode and so into
 * a version no larger than byte mode needs; the level is Q, or H when H fits
 * the same version; the matrix is 17 + 4 * version modules a side and is
 * exactly what libqrencode makes for one alphanumeric segment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <qrencode.h>

#include "invqr_qr.h"

/* The demo's URL: 44 characters, version 3 at Q (4 in byte mode). */
static const char DEMO_URL[] = "HTTP://127.0.0.1:8080/V/0123456789ABCDEFGHJK";
/* Short enough for H in the version Q needs (3). */
static const char SHORT_URL[] = "HTTP://X.IT/V/0123456789ABCDEFGHJK";

static const char *const URLS[] = {
    DEMO_URL,
    SHORT_URL,
    "HTTPS://SERVIZI.ESEMPIO.GOV.IT/INVQR/V/0123456789ABCDEFGHJK",
    "HTTP://10.0.0.1/V/ZZZZZZZZZZZZZZZZZZZZ",
    "HTTPS://WWW.INPS.IT/V/0123456789ABCDEFGHJK",
};

static int setup(void **state)
{
    apr_pool_t *p = NULL;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        return -1;
    }
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    apr_pool_destroy(*state);
    return 0;
}

static QRecLevel to_level(char c)
{
    return c == 'H' ? QR_ECLEVEL_H : QR_ECLEVEL_Q;
}

/* Version libqrencode gives one alphanumeric segment at a level. */
static int alnum_version(const char *s, QRecLevel level)
{
    QRinput *in = QRinput_new2(0, level);
    QRcode *code;
    int v;

    assert_non_null(in);
    assert_int_equal(QRinput_append(in, QR_MODE_AN, (int)strlen(s),
                                     (const unsigned char *)s),
                     0);
    code = QRcode_encodeInput(in);
    assert_non_null(code);
    v = code->version;
    QRcode_free(code);
    QRinput_free(in);
    return v;
}

static void test_alnum_not_larger_than_byte_mode(void **state)
{
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < sizeof(URLS) / sizeof(URLS[0]); i++) {
        invqr_qr_t *qr = NULL;
        QRcode *byte;

        assert_int_equal(invqr_qr_encode(&qr, URLS[i], p), APR_SUCCESS);
        assert_true(invqr_qr_alphanumeric(qr));
        byte = QRcode_encodeString8bit(URLS[i], 0,
                                       to_level(invqr_qr_level(qr)));
        assert_non_null(byte);
        assert_true(invqr_qr_version(qr) <= byte->version);
        QRcode_free(byte);
    }
}

/* The runs cover every dark module once and nothing else, in order. */
typedef struct {
    const invqr_qr_t *qr;
    int dark, last_row, last_end, bad;
} runs_seen_t;

static void check_run(void *baton, int row, int col, int len)
{
    runs_seen_t *rs = baton;
    int x;

    if (len < 1 || row < rs->last_row || (row == rs->last_row && col <= rs->last_end)
        || invqr_qr_dark(rs->qr, col - 1, row) || invqr_qr_dark(rs->qr, col + len, row))
        rs->bad++;
    for (x = col; x < col + len; x++)
        rs->bad += !invqr_qr_dark(rs->qr, x, row);
    rs->dark += len;
    rs->last_row = row;
    rs->last_end = col + len;
}

static void test_runs_cover_the_dark_modules(void **state)
{
    apr_pool_t *p = *state;
    invqr_qr_t *qr = NULL;
    runs_seen_t rs = { NULL, 0, -1, 0, 0 };
    int x, y, dark = 0, w;

    assert_int_equal(invqr_qr_encode(&qr, DEMO_URL, p), APR_SUCCESS);
    rs.qr = qr;
    w = invqr_qr_width(qr);
    for (y = 0; y < w; y++)
        for (x = 0; x < w; x++)
            dark += invqr_qr_dark(qr, x, y);
    assert_true(invqr_qr_runs(qr, check_run, &rs) > 0);
    assert_int_equal(rs.bad, 0);
    assert_int_equal(rs.dark, dark);
}

static void test_demo_url_versions(void **state)
{
    apr_pool_t *p = *state;
    invqr_qr_t *qr = NULL;
    QRcode *byte;

    assert_int_equal(invqr_qr_encode(&qr, DEMO_URL, p), APR_SUCCESS);
    assert_int_equal(invqr_qr_level(qr), 'Q');
    assert_int_equal(invqr_qr_version(qr), 3);
    byte = QRcode_encodeString8bit(DEMO_URL, 0, QR_ECLEVEL_Q);
    assert_non_null(byte);
    assert_int_equal(byte->version, 4); /* what alphanumeric mode saves */
    QRcode_free(byte);
}

static void test_level_q_or_free_h(void **state)
{
    apr_pool_t *p = *state;
    size_t i;
    invqr_qr_t *qr = NULL;

    for (i = 0; i < sizeof(URLS) / sizeof(URLS[0]); i++) {
        int vq = alnum_version(URLS[i], QR_ECLEVEL_Q);
        int vh = alnum_version(URLS[i], QR_ECLEVEL_H);

        assert_int_equal(invqr_qr_encode(&qr, URLS[i], p), APR_SUCCESS);
        assert_int_equal(invqr_qr_level(qr), vh == vq ? 'H' : 'Q');
        assert_int_equal(invqr_qr_version(qr), vq);
    }
    assert_int_equal(invqr_qr_encode(&qr, SHORT_URL, p), APR_SUCCESS);
    assert_int_equal(invqr_qr_level(qr), 'H');
    assert_int_equal(invqr_qr_version(qr), 3);
}

static void test_matrix(void **state)
{
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < sizeof(URLS) / sizeof(URLS[0]); i++) {
        invqr_qr_t *qr = NULL;
        QRinput *in;
        QRcode *ref;
        int w, x, y;

        assert_int_equal(invqr_qr_encode(&qr, URLS[i], p), APR_SUCCESS);
        w = invqr_qr_width(qr);
        assert_int_equal(w, 17 + 4 * invqr_qr_version(qr));

        /* finder pattern: the top-left corner and its separator */
        assert_true(invqr_qr_dark(qr, 0, 0));
        assert_true(invqr_qr_dark(qr, 6, 6));
        assert_false(invqr_qr_dark(qr, 7, 0));
        assert_false(invqr_qr_dark(qr, 1, 1));
        assert_true(invqr_qr_dark(qr, w - 1, 0));
        assert_true(invqr_qr_dark(qr, 0, w - 1));
        /* outside the symbol is the quiet zone */
        assert_false(invqr_qr_dark(qr, -1, 0));
        assert_false(invqr_qr_dark(qr, 0, w));
        assert_false(invqr_qr_dark(qr, w, w));

        /* the same modules as one alphanumeric segment at that level */
        in = QRinput_new2(0, to_level(invqr_qr_level(qr)));
        assert_non_null(in);
        assert_int_equal(QRinput_append(in, QR_MODE_AN, (int)strlen(URLS[i]),
                                        (const unsigned char *)URLS[i]),
                         0);
        ref = QRcode_encodeInput(in);
        assert_non_null(ref);
        assert_int_equal(ref->width, w);
        for (y = 0; y < w; y++) {
            for (x = 0; x < w; x++) {
                assert_int_equal(invqr_qr_dark(qr, x, y),
                                 ref->data[y * w + x] & 1);
            }
        }
        QRcode_free(ref);
        QRinput_free(in);
    }
}

static void test_not_alphanumeric_still_encodes(void **state)
{
    apr_pool_t *p = *state;
    invqr_qr_t *qr = NULL;
    QRcode *byte;
    static const char lower[] = "http://127.0.0.1:8080/v/0123456789abcdefghjk";

    assert_int_equal(invqr_qr_encode(&qr, lower, p), APR_SUCCESS);
    assert_false(invqr_qr_alphanumeric(qr));
    byte = QRcode_encodeString8bit(lower, 0, to_level(invqr_qr_level(qr)));
    assert_non_null(byte);
    assert_true(invqr_qr_version(qr) <= byte->version);
    assert_true(invqr_qr_version(qr) > 3); /* the price of lower case */
    QRcode_free(byte);
}

static void test_invalid(void **state)
{
    apr_pool_t *p = *state;
    invqr_qr_t *qr = (invqr_qr_t *)p; /* must be reset */
    char big[INVQR_QR_MAX_INPUT + 2];

    assert_int_equal(invqr_qr_encode(&qr, NULL, p), APR_EINVAL);
    assert_null(qr);
    assert_int_equal(invqr_qr_encode(&qr, "", p), APR_EINVAL);
    assert_null(qr);
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(invqr_qr_encode(&qr, big, p), APR_EINVAL);
    assert_null(qr);
    /* exactly at the cap is accepted (byte mode: version 40 holds it) */
    big[INVQR_QR_MAX_INPUT] = '\0';
    memset(big, 'a', INVQR_QR_MAX_INPUT);
    assert_int_equal(invqr_qr_encode(&qr, big, p), APR_SUCCESS);
    assert_non_null(qr);
}

static void test_freed_with_pool(void **state)
{
    apr_pool_t *p = *state, *sub = NULL;
    int i;

    /* under ASan/LSan a missing cleanup shows as a leak */
    for (i = 0; i < 100; i++) {
        invqr_qr_t *qr = NULL;

        assert_int_equal(apr_pool_create(&sub, p), APR_SUCCESS);
        assert_int_equal(invqr_qr_encode(&qr, DEMO_URL, sub), APR_SUCCESS);
        apr_pool_destroy(sub);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alnum_not_larger_than_byte_mode,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_cover_the_dark_modules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo_url_versions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_level_q_or_free_h, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_alphanumeric_still_encodes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freed_with_pool, setup,
                                        teardown),
    };
    int rc;

    apr_initialize();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
