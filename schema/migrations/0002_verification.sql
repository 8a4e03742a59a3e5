-- SPDX-License-Identifier: Apache-2.0
-- First-level verification: the per-code guessing limit lives on the code's
-- own row (so concurrent guesses are counted atomically, and codes do not
-- contend with each other), and the citizen's acknowledgement of the privacy
-- notice before the first generation.

ALTER TABLE qr_code
  ADD COLUMN IF NOT EXISTS fail_count TINYINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS fail_window_start TIMESTAMP NULL;

CREATE TABLE IF NOT EXISTS citizen_notice (
  fiscal_code     CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  acknowledged_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (fiscal_code)
) ENGINE=InnoDB;

-- Per-client limits shared by every httpd child and node: one row per client
-- address and minute.
CREATE TABLE IF NOT EXISTS client_limit (
  client_addr  VARCHAR(45) CHARACTER SET ascii NOT NULL,
  window_start TIMESTAMP NOT NULL,
  hits         INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (client_addr, window_start)
) ENGINE=InnoDB;
