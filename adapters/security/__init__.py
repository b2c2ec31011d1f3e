"""Security adapters: the password KDF and the failed-login throttle."""
