"""The path and headers a function sees, from what the caller sent."""

from __future__ import annotations

import pytest

from catalyst_local.gateway.forwarding import (
    function_path,
    named_function,
    remove_dot_segments,
    request_headers,
)


@pytest.mark.parametrize("path, resolved", [
    ("/", "/"),
    ("/a/b", "/a/b"),
    ("/a/./b/../c", "/a/c"),
    ("/../fn/./echo", "/fn/echo"),
    ("/a/b/..", "/a/"),
    ("/a/.", "/a/"),
    ("/a//b/", "/a//b/"),
    ("/..", "/"),
    ("/a/..b/.c", "/a/..b/.c"),
])
def test_dot_segments_are_resolved_as_rfc_3986_says(path, resolved):
    assert remove_dot_segments(path) == resolved


@pytest.mark.parametrize("raw, name", [
    (b"/server/fn", "fn"),
    (b"/server/fn/x/y", "fn"),
    (b"/server/f%6E/x", "fn"),
    (b"/server/fn%2Fx", "fn/x"),
    (b"/%73erver/fn/x", "fn"),
    (b"/server%2Ffn/x", None),
])
def test_the_function_is_named_by_the_raw_segment_decoded(raw, name):
    assert named_function(raw) == name


def test_the_function_path_keeps_escapes_and_the_query_as_sent():
    assert function_path(b"/server/fn", b"") == "/"
    assert function_path(b"/server/fn/", b"") == "/"
    assert (function_path(b"/server/fn/a%20b/%2F/./c", b"q=%0d%0a&x=1")
            == "/a%20b/%2F/c?q=%0d%0a&x=1")


def test_headers_named_by_connection_are_hop_by_hop_and_dropped():
    kept = request_headers([("Host", "h"), ("Connection", "close, X-Private"),
                            ("x-private", "secret"), ("x-public", "yes")], {}, "front:1")
    assert kept == [("Host", "h"), ("x-public", "yes")]


def test_a_caller_without_host_gets_the_front_servers():
    kept = request_headers([("accept", "*/*")], {"x-zc-projectid": "1"}, "127.0.0.1:3000")
    assert kept == [("host", "127.0.0.1:3000"), ("accept", "*/*"), ("x-zc-projectid", "1")]
