from components_harness import components, components_server, settings  # noqa: F401
