/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the WSDL of the SOAP API (served at GET /soap?wsdl).
 *
 * A WSDL 1.1 document/literal description in the style of WS-I Basic
 * Profile 1.1: an embedded XML Schema typing every field of the contract,
 * one element-based part per message, one portType with VerifyLevel1,
 * RequestOtp and VerifyLevel2 (each with a FaultDetail fault), a SOAP 1.1
 * and a SOAP 1.2 binding with one SOAPAction per operation, and a service
 * with one port per binding at the deployment's address. Names, namespace
 * and actions are those of invqr_soap.h.
 */
#ifndef INVQR_WSDL_H
#define INVQR_WSDL_H

#include <apr_pools.h>

#define INVQR_WSDL_MAX_URL 2048   /* bytes of service_url */

/**
 * The WSDL with service_url (an absolute http or https URL, UTF-8 text
 * without controls, at most INVQR_WSDL_MAX_URL bytes) as the address of
 * both ports, escaped for the attribute. Allocated from p; NUL-terminated
 * UTF-8 XML. NULL when service_url is NULL or unacceptable, or p runs out.
 * Serve it as text/xml; charset=utf-8.
 */
const char *invqr_wsdl(const char *service_url, apr_pool_t *p);

#endif
