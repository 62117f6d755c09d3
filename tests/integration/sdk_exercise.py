"""Every Cache and File Store call the official SDK offers, run against whatever it points at.

The same module runs in two places: in a plain script whose environment comes from
`catalyst-local env`, and inside a hosted Advanced I/O function, where `zcatalyst_sdk.initialize()`
reads the headers the platform hands to the handler's thread. It depends on nothing but the SDK.
"""

import os
import tempfile


def _error(call):
    try:
        call()
    except Exception as exc:  # the SDK's CatalystAPIError and its client-side errors
        return {"type": type(exc).__name__, "code": getattr(exc, "code", None),
                "message": getattr(exc, "message", str(exc)),
                "status": getattr(exc, "status_code", None)}
    return None


def exercise(app, segment_name, folder_name):
    results = {}
    cache = app.cache()
    segments = {s.to_dict()["segment_name"]: s.to_dict()["id"] for s in cache.get_all_segment()}
    results["segments"] = sorted(segments)
    results["segment_details"] = cache.get_segment_details(segments[segment_name])
    segment = cache.segment(segments[segment_name])

    results["put"] = segment.put("k" * 50, "v" * 16000, 1)
    results["get_value_len"] = len(segment.get_value("k" * 50))
    results["update"] = segment.update("k" * 50, "updated")
    results["get"] = segment.get("k" * 50)
    results["delete"] = segment.delete("k" * 50)
    results["get_after_delete"] = segment.get("k" * 50)
    results["default_put"] = cache.segment().put("plain", "value")
    results["key_51"] = _error(lambda: segment.put("k" * 51, "v"))
    results["value_16001"] = _error(lambda: segment.put("key", "v" * 16001))
    results["expiry_48"] = segment.put("long", "v", 48)["expiry_in_hours"]
    results["expiry_49"] = _error(lambda: segment.put("key", "v", 49))
    results["expiry_0"] = _error(lambda: segment.put("key", "v", 0))
    results["unknown_segment"] = _error(lambda: cache.get_segment_details("123456789"))

    store = app.filestore()
    results["folders"] = sorted(f.to_dict()["folder_name"] for f in store.get_all_folders())
    created = store.create_folder("Scratch")
    results["created_folder"] = created.to_dict()
    results["duplicate_folder"] = _error(lambda: store.create_folder("Scratch"))
    scratch_id = created.to_dict()["id"]
    results["renamed_folder"] = store.folder(scratch_id).update("Scratch2")
    results["folder_delete"] = store.folder(scratch_id).delete()

    folder_id = next(f.to_dict()["id"] for f in store.get_all_folders()
                     if f.to_dict()["folder_name"] == folder_name)
    folder = store.folder(folder_id)
    payload = os.urandom(300_000)
    with tempfile.NamedTemporaryFile() as temp:
        temp.write(payload)
        temp.flush()
        with open(temp.name, "rb") as handle:
            uploaded = folder.upload_file("../../escape.bin", handle)
    results["uploaded"] = uploaded
    results["folder_details_files"] = [f["id"] for f in
                                       store.get_folder_details(folder_id)["file_details"]]
    results["file_details"] = folder.get_file_details(uploaded["id"])
    results["download_matches"] = folder.download_file(uploaded["id"]) == payload
    stream = folder.get_file_stream(uploaded["id"])
    results["stream_matches"] = b"".join(stream.iter_content(65536)) == payload
    results["delete_file"] = folder.delete_file(uploaded["id"])
    results["deleted_file_details"] = _error(lambda: folder.get_file_details(uploaded["id"]))
    results["unknown_folder"] = _error(lambda: store.get_folder_details("999999999"))
    return results
