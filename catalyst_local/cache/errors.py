"""The Cache errors, with the cloud's status and code; the messages are ours (undocumented)."""

from catalyst_local.baas.errors import ErrorEntry

SEGMENT_NOT_FOUND = ErrorEntry(404, "INVALID_ID", "Invalid Segment ID {segment_id}")
KEY_NOT_FOUND = ErrorEntry(404, "INVALID_ID", "No cache key {key} in segment {segment_name}")
KEY_REQUIRED = ErrorEntry(400, "INVALID_INPUT", "{field} must be a non-empty string")
KEY_TOO_LONG = ErrorEntry(400, "INVALID_INPUT",
                          "{field} must be at most {limit} characters; it has {length}")
VALUE_NOT_STRING = ErrorEntry(400, "INVALID_INPUT", "cache_value must be a string")
VALUE_TOO_LONG = ErrorEntry(400, "INVALID_INPUT",
                            "cache_value must be at most {limit} characters; it has {length}")
EXPIRY_INVALID = ErrorEntry(400, "INVALID_INPUT",
                            "expiry_in_hours must be a whole number of hours from 1 to {limit}")
