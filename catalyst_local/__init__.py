"""Zoho Catalyst's File Store, Cache, Event Listener and function hosting, on a laptop."""

__version__ = "0.1.0"
