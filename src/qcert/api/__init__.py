"""The HTTP API: a thin FastAPI face over the parts."""
