-- SPDX-License-Identifier: Apache-2.0
-- Operator sign-in that never locks out a colleague who types the right
-- password (issue 13):
-- - operator.attempt_at: when the account's latest try was taken. A try is
--   taken before the password is checked and settled after; tries still in
--   flight make a further sign-in wait, not fail, and a try that was never
--   settled (its process died) stops counting as in flight after a minute.
-- - operator_client: the addresses an operator has signed in from. When an
--   address has failed too often (password spraying), only sign-ins to the
--   accounts known at that address are still checked.
ALTER TABLE operator ADD COLUMN IF NOT EXISTS attempt_at TIMESTAMP NULL;

CREATE TABLE IF NOT EXISTS operator_client (
  operator_id  INT UNSIGNED NOT NULL,
  client_addr  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  last_ok_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (operator_id, client_addr),
  KEY operator_client_seen (last_ok_at)
) ENGINE=InnoDB;
