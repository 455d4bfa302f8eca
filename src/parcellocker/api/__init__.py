"""The HTTP API of the management server (FastAPI), versioned under /api/v1."""
