-- SPDX-License-Identifier: Apache-2.0
-- The first-level verification's per-client limit, one row per client
-- address: its wrong answers (unknown codes and wrong fiscal codes) in a
-- fixed window that starts at its first failure, as the per-code cool-down
-- does. One row keyed by the address makes the check a primary-key read that
-- joins the code lookup as a constant table, where summing per-minute rows
-- of client_limit cost the store more than the rest of the verification.
-- (client_limit stays for the operator sign-in throttle.)

CREATE TABLE IF NOT EXISTS verify_client (
  client_addr  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fail_count   INT UNSIGNED NOT NULL,
  window_start TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (client_addr),
  KEY verify_client_window (window_start)
) ENGINE=InnoDB;
