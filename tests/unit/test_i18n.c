/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of the message catalogue and language negotiation.
 *
 * Checks that every message exists in Italian, English and German (the
 * German file names each id exactly once), is valid UTF-8 plain text with
 * no placeholder left in it, that the languages are really translated, and
 * that Italian keeps one register (the courtesy "lei": no "tu", no "tuo",
 * no informal imperative); then that Accept-Language is read by
 * q-value, that anything malformed or unknown falls back to Italian, and
 * that the parser never reads past its 1024-byte cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "invqr_i18n.h"

static const char *const msg_ids[INVQR_MSG__COUNT] = {
#define INVQR_MSG(id, it, en) [INVQR_MSG_##id] = #id,
#include "invqr_messages.def"
#undef INVQR_MSG
};

/* Every id the German file names, in its order (duplicates included). */
static const int de_ids[] = {
#define INVQR_MSG_DE(id, de) INVQR_MSG_##id,
#include "invqr_messages_de.def"
#undef INVQR_MSG_DE
};

/* Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
static int valid_utf8(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;

    while (*s != '\0') {
        unsigned int cp;
        int n, i;

        if (s[0] < 0x80) {
            s++;
            continue;
        }
        if ((s[0] & 0xE0) == 0xC0) {
            n = 1;
            cp = s[0] & 0x1F;
        }
        else if ((s[0] & 0xF0) == 0xE0) {
            n = 2;
            cp = s[0] & 0x0F;
        }
        else if ((s[0] & 0xF8) == 0xF0) {
            n = 3;
            cp = s[0] & 0x07;
        }
        else {
            return 0;
        }
        for (i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)
            || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return 0;
        s += n + 1;
    }
    return 1;
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i, j;

    for (i = 0; hay[i] != '\0'; i++) {
        for (j = 0; j < n; j++) {
            char a = hay[i + j], b = needle[j];

            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (a != b)
                break;
        }
        if (j == n)
            return 1;
    }
    return 0;
}

static void check_text(const char *id, const char *lang, const char *s)
{
    static const char *const placeholders[] = {
        "todo", "fixme", "xxx", "tbd", "lorem", "placeholder", "translate", "msg_"
    };
    size_t len, i;

    if (s == NULL)
        fail_msg("%s/%s is NULL", id, lang);
    len = strlen(s);
    if (len == 0)
        fail_msg("%s/%s is empty", id, lang);
    if (!valid_utf8(s))
        fail_msg("%s/%s is not valid UTF-8", id, lang);
    if (s[0] == ' ' || s[len - 1] == ' ' || strstr(s, "  ") != NULL)
        fail_msg("%s/%s has stray spaces: \"%s\"", id, lang, s);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == 0x7F)
            fail_msg("%s/%s has a control character", id, lang);
        if (c == '<' || c == '>' || c == '%' || c == '&')
            fail_msg("%s/%s has markup or a format: \"%s\"", id, lang, s);
    }
    for (i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
        if (contains_ci(s, placeholders[i]))
            fail_msg("%s/%s looks like a placeholder: \"%s\"", id, lang, s);
}

static void test_every_message_in_every_language(void **state)
{
    int i, missing = 0;

    (void)state;
    assert_true(INVQR_MSG__COUNT > 50);
    for (i = 0; i < (int)INVQR_MSG__COUNT; i++) {
        assert_non_null(msg_ids[i]);
        check_text(msg_ids[i], "it", invqr_msg(INVQR_LANG_IT, (invqr_msg_t)i));
        check_text(msg_ids[i], "en", invqr_msg(INVQR_LANG_EN, (invqr_msg_t)i));
        if (invqr_msg_de_written((invqr_msg_t)i) == NULL) {
            print_error("%s has no German text in invqr_messages_de.def\n", msg_ids[i]);
            missing++;
            continue;
        }
        check_text(msg_ids[i], "de", invqr_msg(INVQR_LANG_DE, (invqr_msg_t)i));
    }
    if (missing > 0)
        fail_msg("%d message(s) lack German", missing);
}

/* The German file names each id once: with designated initializers a
 * second line for an id would silently win. */
static void test_german_ids_once(void **state)
{
    static int seen[INVQR_MSG__COUNT];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(de_ids) / sizeof(de_ids[0]); i++) {
        assert_in_range(de_ids[i], 0, INVQR_MSG__COUNT - 1);
        if (seen[de_ids[i]]++)
            fail_msg("%s has two German lines", msg_ids[de_ids[i]]);
    }
    assert_int_equal(sizeof(de_ids) / sizeof(de_ids[0]), INVQR_MSG__COUNT);
}

/* Is s[at..at+n) a whole word (not inside a longer one)? */
static int is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || c == '\'';
}

/* Where word occurs in s as a whole word (any case), or -1. When
 * sentence_start, only at the start of s or after ". ", ": ", "; ". */
static long find_word(const char *s, const char *word, int sentence_start)
{
    size_t n = strlen(word), i, j;

    for (i = 0; s[i] != '\0'; i++) {
        for (j = 0; j < n; j++) {
            char a = s[i + j];

            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (a != word[j])
                break;
        }
        if (j < n)
            continue;
        if ((i > 0 && is_letter((unsigned char)s[i - 1])) || is_letter((unsigned char)s[i + n]))
            continue;
        if (sentence_start && i > 0
            && !(i >= 2 && s[i - 1] == ' ' && (s[i - 2] == '.' || s[i - 2] == ':' || s[i - 2] == ';')))
            continue;
        return (long)i;
    }
    return -1;
}

/*
 * Italian speaks with "lei" (invqr_messages.def says why). "tu" shows in
 * its pronouns and possessives, in the verbs' second person and in
 * imperatives. An -ere/-ire imperative ("inserisci", "leggi") never reads
 * as a "lei" form, so it is flagged anywhere; an -are one ("controlla",
 * "riprova") is also the third person ("lo controlla"), so only where a
 * sentence starts. Words that are also nouns or numbers ("verifica",
 * "stampa", "sei") are left alone.
 */
static void test_italian_register(void **state)
{
    static const char *const anywhere[] = {
        "tu", "tuo", "tua", "tuoi", "tue", "ti", "te", "teco", "hai", "puoi", "devi", "vuoi",
        "sai", "vai", "fai", "stai", "agisci", "agivi", "inserisci", "leggi", "attendi", "riduci", "scegli", "apri",
        "chiedi", "esci", "sostituisci", "accedi", "ricevi", "vedi", "prendi", "scrivi",
        "rispondi", "premi", "segui", "trovi", "controllalo", "confrontalo", "ricopialo",
        "comunicalo", "scaricalo", "stampalo", "mostrami", "mostrarti", "dirti", "ricordati",
        "ricevuto da te", "chiederti"
    };
    static const char *const at_start[] = {
        "controlla", "riprova", "torna", "usa", "digita", "inquadra", "scarica", "genera",
        "contatta", "compila", "ricarica", "annota", "conferma", "indica", "vai", "clicca",
        "aspetta", "guarda", "copia", "ricopia", "confronta"
    };
    /* Infinitives used as instructions start a sentence or a label with a
     * capital; a list item completing "può:" starts in lower case. */
    static const char *const infinitive_start[] = {
        "inquadrare", "digitare", "chiedere", "controllare", "inserire", "scaricare",
        "verificare", "stampare", "leggere", "riprovare", "accedere", "contattare"
    };
    int i, bad = 0;
    size_t k;
    long at;

    (void)state;
    for (i = 0; i < (int)INVQR_MSG__COUNT; i++) {
        const char *it = invqr_msg(INVQR_LANG_IT, (invqr_msg_t)i);

        for (k = 0; k < sizeof(anywhere) / sizeof(anywhere[0]); k++)
            if (find_word(it, anywhere[k], 0) >= 0) {
                print_error("%s says \"%s\" (\"tu\"): %s\n", msg_ids[i], anywhere[k], it);
                bad++;
            }
        for (k = 0; k < sizeof(at_start) / sizeof(at_start[0]); k++)
            if (find_word(it, at_start[k], 1) >= 0) {
                print_error("%s starts with \"%s\" (\"tu\"): %s\n", msg_ids[i], at_start[k], it);
                bad++;
            }
        for (k = 0; k < sizeof(infinitive_start) / sizeof(infinitive_start[0]); k++)
            if ((at = find_word(it, infinitive_start[k], 1)) >= 0 && it[at] >= 'A' && it[at] <= 'Z') {
                print_error("%s instructs with an infinitive \"%s\": %s\n", msg_ids[i],
                            infinitive_start[k], it);
                bad++;
            }
    }
    if (bad > 0)
        fail_msg("%d Italian text(s) leave the \"lei\" register", bad);
}

/* The checker itself: it must catch what the issue found. */
static void test_register_checker_catches(void **state)
{
    (void)state;
    assert_true(find_word("Controllalo sulla tessera e riprova.", "controllalo", 0) >= 0);
    assert_true(find_word("Il codice. Controlla i dati", "controlla", 1) >= 0);
    assert_true(find_word("Se il titolare lo controlla", "controlla", 1) < 0);
    assert_true(find_word("Il tuo codice", "tuo", 0) >= 0);
    assert_true(find_word("Il tuono", "tuo", 0) < 0);
    assert_true(find_word("Inquadrare il codice QR", "inquadrare", 1) >= 0);
    assert_true(find_word("L'hai visto", "hai", 0) < 0); /* the apostrophe joins: "l'hai" */
}

/* Only a language's own name, "No" and "Password" (Italian uses the
 * English word) read the same in both languages. */
static void test_messages_are_translated(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < (int)INVQR_MSG__COUNT; i++) {
        const char *it = invqr_msg(INVQR_LANG_IT, (invqr_msg_t)i);
        const char *en = invqr_msg(INVQR_LANG_EN, (invqr_msg_t)i);

        const char *de = invqr_msg(INVQR_LANG_DE, (invqr_msg_t)i);

        if (i == INVQR_MSG_LANG_NAME_IT || i == INVQR_MSG_LANG_NAME_EN
            || i == INVQR_MSG_LANG_NAME_DE || i == INVQR_MSG_OP_PASSWORD)
            continue;
        if (i == INVQR_MSG_NAV_MENU) { /* "Menu" in Italian and English */
            assert_string_not_equal(it, de);
            continue;
        }
        /* "Code" is German too. */
        if (strcmp(it, de) == 0
            || (strcmp(en, de) == 0 && i != INVQR_MSG_CITIZEN_CODE_LABEL && i != INVQR_MSG_OP_RECENT_CODE))
            fail_msg("%s is not translated into German: \"%s\"", msg_ids[i], de);
        if (i == INVQR_MSG_NO)
            continue;
        if (strcmp(it, en) == 0)
            fail_msg("%s is not translated: \"%s\"", msg_ids[i], it);
    }
    assert_string_equal(invqr_msg(INVQR_LANG_DE, INVQR_MSG_LANG_NAME_IT), "Italiano");
    assert_string_equal(invqr_msg(INVQR_LANG_IT, INVQR_MSG_LANG_NAME_DE), "Deutsch");
    assert_string_equal(invqr_msg(INVQR_LANG_IT, INVQR_MSG_LANG_NAME_EN), "English");
    assert_string_equal(invqr_msg(INVQR_LANG_EN, INVQR_MSG_LANG_NAME_IT), "Italiano");
}

static void test_known_texts(void **state)
{
    (void)state;
    assert_string_equal(invqr_msg(INVQR_LANG_IT, INVQR_MSG_YES), "Sì");
    assert_string_equal(invqr_msg(INVQR_LANG_EN, INVQR_MSG_YES), "Yes");
    assert_string_equal(invqr_msg(INVQR_LANG_IT, INVQR_MSG_NAV_VERIFY), "Verifica di un codice");
    assert_string_equal(invqr_msg(INVQR_LANG_EN, INVQR_MSG_NAV_VERIFY), "Verify a code");
    assert_string_equal(invqr_msg(INVQR_LANG_DE, INVQR_MSG_YES), "Ja");
    assert_string_equal(invqr_msg(INVQR_LANG_DE, INVQR_MSG_NAV_VERIFY), "Code prüfen");
}

static void test_msg_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(invqr_msg(INVQR_LANG_IT, INVQR_MSG__COUNT), "");
    assert_string_equal(invqr_msg(INVQR_LANG_EN, (invqr_msg_t)-1), "");
    /* An unknown language value reads as Italian. */
    assert_string_equal(invqr_msg((invqr_lang_t)7, INVQR_MSG_YES), "Sì");
}

static void test_lang_tag(void **state)
{
    (void)state;
    assert_string_equal(invqr_lang_tag(INVQR_LANG_IT), "it");
    assert_string_equal(invqr_lang_tag(INVQR_LANG_EN), "en");
    assert_string_equal(invqr_lang_tag(INVQR_LANG_DE), "de");
    assert_string_equal(invqr_lang_tag((invqr_lang_t)9), "it");
    assert_string_equal(invqr_lang_tag((invqr_lang_t)-1), "it");
}

static void test_lang_parse(void **state)
{
    (void)state;
    assert_int_equal(invqr_lang_parse("it"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_parse("IT"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_parse("it-IT"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_parse("en"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_parse("En"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_parse("en-GB"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_parse("en_US"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_parse(NULL), -1);
    assert_int_equal(invqr_lang_parse(""), -1);
    assert_int_equal(invqr_lang_parse("e"), -1);
    assert_int_equal(invqr_lang_parse("de"), INVQR_LANG_DE);
    assert_int_equal(invqr_lang_parse("de-AT"), INVQR_LANG_DE);
    assert_int_equal(invqr_lang_parse("fr"), -1);
    assert_int_equal(invqr_lang_parse("english"), -1);
    assert_int_equal(invqr_lang_parse("ita"), -1);
    assert_int_equal(invqr_lang_parse("*"), -1);
    assert_int_equal(invqr_lang_parse(" en"), -1);
}

static void test_negotiate_basic(void **state)
{
    (void)state;
    assert_int_equal(invqr_lang_negotiate(NULL), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate(""), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("it"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("en"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("de"), INVQR_LANG_DE);
    assert_int_equal(invqr_lang_negotiate("fr"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("de-DE,de;q=0.9,it;q=0.8"), INVQR_LANG_DE);
    assert_int_equal(invqr_lang_negotiate("it-IT,de;q=0.9"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("de;q=0.5, en;q=0.5"), INVQR_LANG_DE);
    assert_int_equal(invqr_lang_negotiate("en;q=0.5, de;q=0.5"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("en-GB,en;q=0.9,it;q=0.8"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("fr;q=1, en;q=0.5"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("fr-FR,fr;q=0.9,en;q=0.1"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("de-DE,de;q=0.9,en;q=0.1"), INVQR_LANG_DE);
    assert_int_equal(invqr_lang_negotiate("en;q=0.4, it;q=0.5"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("it;q=0.4, en;q=0.5"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("EN-us"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("en-Latn-GB-oxendict"), INVQR_LANG_EN);
    /* Several ranges for one language: the highest q counts. */
    assert_int_equal(invqr_lang_negotiate("en-GB;q=0.2, it;q=0.5, en;q=0.9"), INVQR_LANG_EN);
}

static void test_negotiate_weights(void **state)
{
    (void)state;
    assert_int_equal(invqr_lang_negotiate("en;q=0"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("en;q=0.000"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("en;q=0.001"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("en;q=1.000"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("en;Q=0.5"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("en ; q=0.5"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("  en\t,  it;q=0.1  "), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate(",,, ,en,,"), INVQR_LANG_EN);
    /* Equal weights: the first named wins. */
    assert_int_equal(invqr_lang_negotiate("en, it"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("it, en"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("en;q=0.5, it;q=0.5"), INVQR_LANG_EN);
}

static void test_negotiate_wildcard(void **state)
{
    (void)state;
    assert_int_equal(invqr_lang_negotiate("*"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("*;q=0.5"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("fr, *;q=0.5, en;q=0.3"), INVQR_LANG_IT);
    assert_int_equal(invqr_lang_negotiate("fr, *;q=0.2, en;q=0.3"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("de, *;q=0.5, en;q=0.3"), INVQR_LANG_DE);
    assert_int_equal(invqr_lang_negotiate("*, de"), INVQR_LANG_DE);
    assert_int_equal(invqr_lang_negotiate("it;q=0, en;q=0, *"), INVQR_LANG_DE);
    assert_int_equal(invqr_lang_negotiate("en, *"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("*, en"), INVQR_LANG_EN);
    /* Italian refused outright, anything else welcome: English. */
    assert_int_equal(invqr_lang_negotiate("it;q=0, *"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("*;q=0"), INVQR_LANG_IT);
}

static void test_negotiate_malformed(void **state)
{
    static const char *const bad[] = {
        "en;q=2", "en;q=1.5", "en;q=1.001", "en;q=0.1234", "en;q=-1", "en;q=",
        "en;q=abc", "en;q=.5", "en;q= 0.5", "en;q 0.5", "en;x=1", "en;", "en;q=0.5;q=1",
        "en q=1", "e n", "en-", "-en", "en--GB", "en-toolongsubtag", "toolongprimary",
        "e1", "en_GB", "\"en\"", "en\x01", "\xc3\xa8n", "en=1", "*-en", "**",
        ";;;", "q=1", "=", "-", "\t", "\xff\xfe",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (invqr_lang_negotiate(bad[i]) != INVQR_LANG_IT)
            fail_msg("\"%s\" should give Italian", bad[i]);
    }
    /* A malformed element does not spoil the good ones. */
    assert_int_equal(invqr_lang_negotiate("en;q=abc, en-GB;q=0.7, it;q=0.6"), INVQR_LANG_EN);
    assert_int_equal(invqr_lang_negotiate("@@@, en"), INVQR_LANG_EN);
}

static void test_negotiate_cap(void **state)
{
    char *buf;
    size_t i;

    (void)state;
    /* 1024 bytes with no terminator: ASan catches any read beyond. */
    buf = malloc(1024);
    assert_non_null(buf);
    for (i = 0; i + 3 <= 1024; i += 3)
        memcpy(buf + i, "en,", 3);
    for (; i < 1024; i++)
        buf[i] = 'x';
    assert_int_equal(invqr_lang_negotiate(buf), INVQR_LANG_EN);
    memset(buf, 'a', 1024);
    assert_int_equal(invqr_lang_negotiate(buf), INVQR_LANG_IT);
    free(buf);

    /* What lies beyond 1024 bytes is ignored, even a valid "en". */
    buf = malloc(4096);
    assert_non_null(buf);
    memset(buf, ' ', 4096);
    memcpy(buf, "de", 2);
    memcpy(buf + 2000, ",en", 3);
    buf[4095] = '\0';
    assert_int_equal(invqr_lang_negotiate(buf), INVQR_LANG_IT);
    /* An element cut at the cap is dropped: ",en;q=0.0" cut after "en" must
     * not count as "en" with q=1. */
    memset(buf, ' ', 4096);
    memcpy(buf, "it;q=0.4", 8);
    memcpy(buf + 1021, ",en;q=0.0", 9);
    buf[4095] = '\0';
    assert_int_equal(invqr_lang_negotiate(buf), INVQR_LANG_IT);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_message_in_every_language),
        cmocka_unit_test(test_german_ids_once),
        cmocka_unit_test(test_italian_register),
        cmocka_unit_test(test_register_checker_catches),
        cmocka_unit_test(test_messages_are_translated),
        cmocka_unit_test(test_known_texts),
        cmocka_unit_test(test_msg_out_of_range),
        cmocka_unit_test(test_lang_tag),
        cmocka_unit_test(test_lang_parse),
        cmocka_unit_test(test_negotiate_basic),
        cmocka_unit_test(test_negotiate_weights),
        cmocka_unit_test(test_negotiate_wildcard),
        cmocka_unit_test(test_negotiate_malformed),
        cmocka_unit_test(test_negotiate_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
