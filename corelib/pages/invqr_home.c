/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the home page (GET /).
 *
 * Real content for the two audiences of the service: the citizen who holds
 * the attestation (what they can do in the citizen area, and what a verifier
 * does and does not see) and whoever verifies it (scan or type the code,
 * then the fiscal code from the health card; the second level for
 * organisations, with the holder's SMS consent). Headings go h1, h2, h3 in
 * order; every link says where it leads. All text comes from the catalogue.
 */
#include <apr_pools.h>

#include "invqr_home.h"
#include "invqr_html.h"
#include "invqr_i18n.h"
#include "invqr_page.h"

/* The first-level categories, as the verifier sees them (docs/contract.md: levels). */
static const invqr_msg_t first_level_fields[] = {
    INVQR_MSG_FIELD_CIVIL_INVALIDITY,
    INVQR_MSG_FIELD_MINOR_INVALIDITY,
    INVQR_MSG_FIELD_ATTENDANCE_ALLOWANCE,
    INVQR_MSG_FIELD_CIVIL_BLINDNESS,
    INVQR_MSG_FIELD_DEAFNESS,
    INVQR_MSG_FIELD_HANDICAP,
};

static const invqr_msg_t citizen_can[] = {
    INVQR_MSG_HOME_CITIZEN_GENERATE,
    INVQR_MSG_HOME_CITIZEN_DOWNLOAD,
    INVQR_MSG_HOME_CITIZEN_KEEP,
    INVQR_MSG_HOME_CITIZEN_REVOKE,
    INVQR_MSG_HOME_CITIZEN_REPLACE,
    INVQR_MSG_HOME_CITIZEN_LOG,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static invqr_el_t *add_msg(invqr_page_t *pg, invqr_el_t *parent, const char *tag,
                          invqr_msg_t msg)
{
    return invqr_html_add(parent, tag, invqr_page_msg(pg, msg));
}

/* <p><a class="btn ..." href="base+rel">msg</a></p> */
static void add_button_link(invqr_page_t *pg, invqr_el_t *parent, const char *rel,
                            invqr_msg_t msg, const char *cls)
{
    invqr_el_t *a = invqr_html_link(invqr_html_add(parent, "p", NULL),
                                   invqr_page_url(pg, rel), invqr_page_msg(pg, msg));

    invqr_html_set(a, "class", cls);
}

static invqr_el_t *add_section(invqr_el_t *parent, const char *id)
{
    invqr_el_t *s = invqr_html_add(parent, "section", NULL);

    invqr_html_set(s, "class", "home-section");
    invqr_html_set(s, "id", id);
    return s;
}

static void build_intro(invqr_page_t *pg, invqr_el_t *main)
{
    invqr_el_t *ul, *a;

    add_msg(pg, main, "h1", INVQR_MSG_HOME_H1);
    invqr_html_set(add_msg(pg, main, "p", INVQR_MSG_HOME_LEAD), "class", "lead");
    add_msg(pg, main, "p", INVQR_MSG_HOME_LEAD_PRIVACY);

    ul = invqr_html_set(invqr_html_add(main, "ul", NULL), "class", "actions");
    a = invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/verify"),
                        invqr_page_msg(pg, INVQR_MSG_NAV_VERIFY));
    invqr_html_set(a, "class", "btn btn-primary");
    a = invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/citizen"),
                        invqr_page_msg(pg, INVQR_MSG_HOME_CITIZEN_LINK));
    invqr_html_set(a, "class", "btn btn-secondary");
}

static void build_citizens(invqr_page_t *pg, invqr_el_t *main)
{
    invqr_el_t *s = add_section(main, "citizens");
    invqr_el_t *ul;
    size_t i;

    add_msg(pg, s, "h2", INVQR_MSG_HOME_CITIZEN_H2);
    add_msg(pg, s, "p", INVQR_MSG_HOME_CITIZEN_INTRO);
    ul = invqr_html_add(s, "ul", NULL);
    for (i = 0; i < COUNT(citizen_can); i++)
        add_msg(pg, ul, "li", citizen_can[i]);
    add_msg(pg, s, "p", INVQR_MSG_HOME_CITIZEN_ELIGIBILITY);
    add_button_link(pg, s, "/citizen", INVQR_MSG_HOME_CITIZEN_LINK, "btn btn-primary");

    add_msg(pg, s, "h3", INVQR_MSG_HOME_PRIVACY_H3);
    add_msg(pg, s, "p", INVQR_MSG_HOME_PRIVACY_INTRO);
    ul = invqr_html_add(s, "ul", NULL);
    for (i = 0; i < COUNT(first_level_fields); i++)
        add_msg(pg, ul, "li", first_level_fields[i]);
    add_msg(pg, s, "p", INVQR_MSG_HOME_PRIVACY_NOT_SHOWN);
    add_msg(pg, s, "p", INVQR_MSG_HOME_PRIVACY_LEVEL2);
}

static void build_verifiers(invqr_page_t *pg, invqr_el_t *main)
{
    invqr_el_t *s = add_section(main, "verifiers");
    invqr_el_t *ol, *li;

    add_msg(pg, s, "h2", INVQR_MSG_HOME_VERIFIER_H2);
    add_msg(pg, s, "p", INVQR_MSG_HOME_VERIFIER_INTRO);
    ol = invqr_html_set(invqr_html_add(s, "ol", NULL), "class", "steps");
    add_msg(pg, ol, "li", INVQR_MSG_HOME_VERIFIER_SCAN);
    li = invqr_html_add(ol, "li", NULL);
    invqr_html_text(li, invqr_page_msg(pg, INVQR_MSG_HOME_VERIFIER_TYPE));
    invqr_html_text(li, " ");
    invqr_html_link(li, invqr_page_url(pg, "/verify"), invqr_page_msg(pg, INVQR_MSG_NAV_VERIFY));
    add_msg(pg, ol, "li", INVQR_MSG_HOME_VERIFIER_FISCAL);
    add_msg(pg, ol, "li", INVQR_MSG_HOME_VERIFIER_RESULT);
    add_button_link(pg, s, "/verify", INVQR_MSG_NAV_VERIFY, "btn btn-primary");

    add_msg(pg, s, "h3", INVQR_MSG_HOME_OPERATOR_H3);
    add_msg(pg, s, "p", INVQR_MSG_HOME_OPERATOR_TEXT);
    add_msg(pg, s, "p", INVQR_MSG_HOME_OPERATOR_CONSENT);
    add_button_link(pg, s, "/operator", INVQR_MSG_HOME_OPERATOR_LINK, "btn btn-secondary");
}

static void build_benefits(invqr_page_t *pg, invqr_el_t *main)
{
    invqr_el_t *s = add_section(main, "benefits");

    add_msg(pg, s, "h2", INVQR_MSG_HOME_BENEFITS_H2);
    add_msg(pg, s, "p", INVQR_MSG_HOME_BENEFITS_TEXT);
    add_button_link(pg, s, "/benefits", INVQR_MSG_HOME_BENEFITS_LINK, "btn btn-secondary");
}

invqr_page_t *invqr_home_page(const invqr_page_ctx_t *ctx, apr_pool_t *p)
{
    invqr_lang_t lang = invqr_lang_valid(ctx != NULL ? (int)ctx->lang : 0);
    invqr_page_t *pg = invqr_page_new(ctx, invqr_msg(lang, INVQR_MSG_NAV_HOME), p);
    invqr_el_t *main;

    if (pg == NULL)
        return NULL;
    main = invqr_page_main(pg);
    invqr_html_set(main, "class", "container home");
    build_intro(pg, main);
    build_citizens(pg, main);
    build_verifiers(pg, main);
    build_benefits(pg, main);
    return pg;
}
