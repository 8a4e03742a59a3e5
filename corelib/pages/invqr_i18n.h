/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - message catalogue.
 *
 * Every word a person reads comes from invqr_messages.def, where each
 * message has its Italian and its English text side by side, and from
 * invqr_messages_de.def, which gives the German text of each message by its
 * id (kept apart so that adding a message touches two files at their ends,
 * never every line). tests/unit/test_i18n.c fails when any language lacks a
 * message. Italian is the default; English and German are chosen by
 * Accept-Language or by the person.
 */
#ifndef INVQR_I18N_H
#define INVQR_I18N_H

typedef enum {
#define INVQR_MSG(id, it, en) INVQR_MSG_##id,
#include "invqr_messages.def"
#undef INVQR_MSG
    INVQR_MSG__COUNT
} invqr_msg_t;

typedef enum {
    INVQR_LANG_IT = 0,
    INVQR_LANG_EN = 1,
    INVQR_LANG_DE = 2,
    INVQR_LANG__COUNT
} invqr_lang_t;

/** lang itself when it is one of ours, Italian otherwise. */
invqr_lang_t invqr_lang_valid(int lang);

/**
 * The text of msg in lang (static storage); "" for an id out of range. A
 * language other than ours reads Italian; a German text not written yet
 * reads English (the catalogue test fails until it is written).
 */
const char *invqr_msg(invqr_lang_t lang, invqr_msg_t msg);

/** The German text of msg as written in invqr_messages_de.def, or NULL
 * (for the catalogue test). */
const char *invqr_msg_de_written(invqr_msg_t msg);

/** "it", "en" or "de" (static storage); "it" for anything else. */
const char *invqr_lang_tag(invqr_lang_t lang);

/** Parse "it"/"en"/"de" (any case, region ignored: "en-GB"); -1 if none. */
int invqr_lang_parse(const char *tag);

/**
 * Choose a language from an Accept-Language header (may be NULL) by q-value;
 * Italian when nothing acceptable is offered. Never reads past 1024 bytes
 * (an element cut there is dropped). Malformed elements are skipped, so a
 * header that is all garbage gives Italian; "*" stands for Italian unless
 * Italian is named. On equal q-values a language named outright beats one
 * reached through "*", then the one named first wins, then Italian.
 */
invqr_lang_t invqr_lang_negotiate(const char *accept_language);

#endif
