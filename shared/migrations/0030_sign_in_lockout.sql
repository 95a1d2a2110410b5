-- Sign-in lockout: each attempt is recorded before its password is checked (so concurrent guesses
-- count), and an attempt refused because of a lock is marked, so it does not make the lock longer.
ALTER TABLE login_attempts ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
CREATE INDEX login_attempts_pair ON login_attempts(email, client_ip, attempted_at);
