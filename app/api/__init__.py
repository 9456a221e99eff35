"""The REST API under /api/v1: routers, schemas and error translation."""
