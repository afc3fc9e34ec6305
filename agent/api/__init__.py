"""The HTTP API: one router per resource, problem+json errors, and the ASGI middleware at the edge."""
