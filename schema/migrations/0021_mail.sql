-- SPDX-License-Identifier: Apache-2.0
-- The attestation sent by e-mail (issue 14): how many e-mails each holder
-- has had sent on a (UTC) day. A send takes one of the day's slots with a
-- conditional UPDATE, so two requests on two nodes cannot both take the
-- last one; a send the MTA refused gives its slot back. The addresses are
-- never stored: the audit row holds their HMAC only.

CREATE TABLE IF NOT EXISTS citizen_mail_quota (
  fiscal_code CHAR(16) NOT NULL,
  day         DATE NOT NULL,
  sent        INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (fiscal_code, day),
  KEY citizen_mail_quota_day (day)
) ENGINE=InnoDB DEFAULT CHARSET=ascii;
