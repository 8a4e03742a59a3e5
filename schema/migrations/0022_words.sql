-- SPDX-License-Identifier: Apache-2.0
-- What a holder chose for themselves: the language of the consent SMS
-- (it, en or de; Italian until they choose), set on /citizen. The SMS goes
-- in the holder's language, not in the operator's who asked for it. Kept
-- apart from citizen, which an import rewrites.

CREATE TABLE IF NOT EXISTS holder_preference (
  fiscal_code CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sms_lang    CHAR(2) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'it',
  updated_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (fiscal_code),
  CONSTRAINT holder_preference_lang CHECK (sms_lang IN ('it', 'en', 'de'))
) ENGINE=InnoDB;
