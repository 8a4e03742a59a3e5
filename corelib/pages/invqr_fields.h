/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - accessible form fields, the same way on every page.
 *
 * A label above the input, an optional hint and error message tied to the
 * input with aria-describedby, aria-invalid on error, sizes and input modes
 * that suit what is typed (fiscal codes and attestation codes).
 */
#ifndef INVQR_FIELDS_H
#define INVQR_FIELDS_H

#include "invqr_page.h"

typedef struct {
    const char *name;          /* form field name, also the element id */
    const char *label;
    const char *hint;          /* or NULL */
    const char *error;         /* or NULL */
    const char *value;         /* pre-filled value, or NULL */
    int maxlength;
    const char *autocomplete;  /* "off", "username", ... or NULL */
    int code_like;             /* upper-case letters and digits: no spellcheck, caps */
    const char *type;          /* "text" when NULL */
} invqr_field_t;

/** Append the field (a div.field with label, hint, error, input) to form. */
invqr_el_t *invqr_field_add(invqr_el_t *form, const invqr_field_t *f);

/** Append a submit button with text to form, in a div.form-actions. */
invqr_el_t *invqr_field_submit(invqr_el_t *form, const char *text);

#endif
