"""The developer's folio: embedded AWS (moto), a local API Gateway, tokens. Never used by functions."""
