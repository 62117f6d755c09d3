"""What the Catalyst REST API shares across components: envelopes, errors, credentials."""
