import requests
from crm_import.catalyst_store import MultipartFileBody
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


def test_the_body_is_the_sdk_layout_in_chunks(tmp_path):
    source = tmp_path / "leads.csv"
    payload = b"a,b\r\n" * 300_000  # several chunks
    source.write_bytes(payload)
    body = MultipartFileBody(source, "My Leads.csv")
    pieces = list(body)
    raw = b"".join(pieces)

    assert len(raw) == len(body)
    assert len(pieces) > 3 and max(map(len, pieces)) <= MultipartFileBody.chunk_size
    assert not hasattr(body, "read")  # so urllib3 sends the chunks, not 16 KiB reads
    boundary = body.content_type.split("boundary=")[1]
    (name_part, name), (file_part, content) = decode(raw, boundary)
    assert (name_part.name, name) == ("file_name", b"My Leads.csv")
    assert isinstance(file_part, File)
    assert (file_part.name, file_part.filename) == ("code", "")
    assert file_part.headers["Content-Type"] == "application/octet-stream"
    assert content == payload


def test_requests_sends_it_with_a_length_not_chunked(tmp_path):
    source = tmp_path / "leads.csv"
    source.write_bytes(b"a\n1\n")
    body = MultipartFileBody(source, "leads.csv")
    prepared = requests.Request(
        "POST", "http://127.0.0.1:9/x", data=body, headers={"Content-Type": body.content_type}
    ).prepare()
    assert prepared.headers["Content-Length"] == str(len(body))
    assert "Transfer-Encoding" not in prepared.headers
    assert prepared.body is body
