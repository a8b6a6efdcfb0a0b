"""Single-threaded tests: they pass. Run them many times in parallel threads
(pyrace run --threads) and the shared registry and settings show their races."""

import unittest

from config import (
    Registry,
    SafeRegistry,
    merge,
    next_request_id,
    request_context,
    safe_settings,
    settings,
)
from config.safe import merge as safe_merge


class SettingsTest(unittest.TestCase):
    def test_settings_have_defaults(self):
        self.assertEqual(settings()["workers"], settings()["workers"])
        self.assertIn("workers", settings())

    def test_settings_are_cached(self):
        self.assertIs(settings(), settings())
        self.assertIs(safe_settings(), safe_settings())

    def test_merge(self):
        self.assertEqual(merge({"a": 1})["a"], 1)
        self.assertEqual(safe_merge({"a": 1}, {"b": 2}), {"a": 1, "b": 2})


class RegistryTest(unittest.TestCase):
    def test_instance_is_shared(self):
        self.assertIs(Registry.instance(), Registry.instance())

    def test_register_and_lookup(self):
        for registry in (Registry(), SafeRegistry()):
            registry.register("ping", lambda: "pong")
            self.assertEqual(registry.lookup("ping")(), "pong")
            self.assertEqual(registry.lookups, 1)
            registry.reset_stats()
            self.assertEqual(registry.lookups, 0)

    def test_safe_registry_rejects_non_callables(self):
        registry = SafeRegistry()
        with self.assertRaises(ValueError):
            registry.register("bad", 42)
        registry.register("ok", print)
        self.assertEqual(registry.names(), ["ok"])


class RequestTest(unittest.TestCase):
    def test_request_ids_increase(self):
        first = next_request_id()
        self.assertGreater(next_request_id(), first)

    def test_request_context_is_per_thread(self):
        request_context.user = "alice"
        self.assertEqual(request_context.user, "alice")


if __name__ == "__main__":
    unittest.main()
