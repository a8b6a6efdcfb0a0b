import purepkg_missing_dependency  # noqa: F401
