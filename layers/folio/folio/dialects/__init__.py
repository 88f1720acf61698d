"""Vendor dialects: request/response models and the mapping to and from the core."""
