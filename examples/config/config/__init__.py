"""Settings and a handler registry for a small service."""

from config.loader import Registry, merge, settings
from config.safe import SafeRegistry, next_request_id, request_context, safe_settings

__all__ = [
    "Registry",
    "SafeRegistry",
    "merge",
    "next_request_id",
    "request_context",
    "safe_settings",
    "settings",
]
