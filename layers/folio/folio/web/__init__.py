"""The HTTP tier: the request object (built once per invocation from the API Gateway event),
the resolver and entry point with their middlewares, multipart parsing and problem+json."""
