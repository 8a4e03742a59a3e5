/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - accessible form fields. */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

#include "invqr_fields.h"
#include "invqr_html.h"

invqr_el_t *invqr_field_add(invqr_el_t *form, const invqr_field_t *f)
{
    invqr_el_t *div, *in;
    char described[160] = "";
    char hint_id[80], error_id[80], maxlen[16];

    div = invqr_html_set(invqr_html_add(form, "div", NULL), "class",
                         f->error != NULL ? "field field-error" : "field");
    invqr_html_set(invqr_html_add(div, "label", f->label), "for", f->name);
    snprintf(hint_id, sizeof(hint_id), "%s-hint", f->name);
    snprintf(error_id, sizeof(error_id), "%s-error", f->name);
    if (f->hint != NULL) {
        invqr_html_set(invqr_html_set(invqr_html_add(div, "p", f->hint), "id", hint_id),
                       "class", "hint");
        snprintf(described, sizeof(described), "%s", hint_id);
    }
    if (f->error != NULL) {
        invqr_html_set(invqr_html_set(invqr_html_add(div, "p", f->error), "id", error_id),
                       "class", "error-message");
        snprintf(described + strlen(described), sizeof(described) - strlen(described), "%s%s",
                 described[0] != '\0' ? " " : "", error_id);
    }
    in = invqr_html_add(div, "input", NULL);
    invqr_html_set(in, "id", f->name);
    invqr_html_set(in, "name", f->name);
    invqr_html_set(in, "type", f->type != NULL ? f->type : "text");
    invqr_html_set(in, "required", "required");
    snprintf(maxlen, sizeof(maxlen), "%d", f->maxlength);
    invqr_html_set(in, "maxlength", maxlen);
    if (f->autocomplete != NULL)
        invqr_html_set(in, "autocomplete", f->autocomplete);
    if (f->code_like) {
        invqr_html_set(in, "autocapitalize", "characters");
        invqr_html_set(in, "spellcheck", "false");
        invqr_html_set(in, "class", "input-code");
    }
    if (f->value != NULL)
        invqr_html_set(in, "value", f->value);
    if (described[0] != '\0')
        invqr_html_set(in, "aria-describedby", described);
    if (f->error != NULL)
        invqr_html_set(in, "aria-invalid", "true");
    return div;
}

invqr_el_t *invqr_field_submit(invqr_el_t *form, const char *text)
{
    invqr_el_t *actions = invqr_html_set(invqr_html_add(form, "div", NULL), "class", "form-actions");

    return invqr_html_set(invqr_html_add(actions, "button", text), "type", "submit");
}
