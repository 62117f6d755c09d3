"""The Event Listener: rules that turn Cache and File Store writes into Event function calls."""
