import pytest
import requests
from crm_import.catalyst_store import SourceFailed, StreamedFileBody
from urllib3.util.request import body_to_chunks
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData


def decode(body: bytes, boundary: str):
    decoder = MultipartDecoder(boundary.encode())
    decoder.receive_data(body)
    decoder.receive_data(None)
    parts, current = [], None
    while True:
        event = decoder.next_event()
        if isinstance(event, (Epilogue, NeedData)):
            return parts
        if isinstance(event, (Field, File)):
            current = [event, b""]
            parts.append(current)
        elif isinstance(event, Data):
            current[1] += event.data


def test_the_body_is_the_sdk_layout_around_the_chunks():
    chunks = [b"a,b\r\n" * 200_000, b"1,2\r\n" * 100_000]
    body = StreamedFileBody(iter(chunks), "My Leads.csv")
    pieces = list(body)

    assert pieces[1:-1] == chunks  # passed on whole, not cut into small blocks
    boundary = body.content_type.split("boundary=")[1]
    (name_part, name), (file_part, content) = decode(b"".join(pieces), boundary)
    assert (name_part.name, name) == ("file_name", b"My Leads.csv")
    assert isinstance(file_part, File)
    assert (file_part.name, file_part.filename) == ("code", "")
    assert file_part.headers["Content-Type"] == "application/octet-stream"
    assert content == b"".join(chunks)


def test_the_http_client_sends_the_chunks_as_they_are():
    chunk = b"x" * (1024 * 1024)
    body = StreamedFileBody(iter([chunk, chunk]), "leads.csv")
    sent = list(body_to_chunks(body, "POST", 16384).chunks)
    assert [len(piece) for piece in sent[1:-1]] == [len(chunk), len(chunk)]


def test_requests_sends_it_chunked():
    body = StreamedFileBody(iter([b"a\n1\n"]), "leads.csv")
    prepared = requests.Request(
        "POST", "http://127.0.0.1:9/x", data=body, headers={"Content-Type": body.content_type}
    ).prepare()
    assert prepared.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in prepared.headers
    assert prepared.body is body


def test_a_failing_source_cuts_the_body_short_and_keeps_its_error():
    def chunks():
        yield b"a,b\n"
        raise ValueError("the upload broke off")

    body = StreamedFileBody(chunks(), "leads.csv")
    sent = []
    with pytest.raises(SourceFailed):
        for piece in body:
            sent.append(piece)
    assert len(sent) == 2 and sent[1] == b"a,b\n"  # the head and the data, no closing boundary
    assert isinstance(body.source_error, ValueError)


def test_the_body_cannot_be_sent_twice():
    body = StreamedFileBody(iter([b"a\n1\n"]), "leads.csv")
    list(body)
    with pytest.raises(SourceFailed):
        iter(body)
    assert body.source_error is None
