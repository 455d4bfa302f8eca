"""Use cases of the management server: each one runs inside one unit of work."""
