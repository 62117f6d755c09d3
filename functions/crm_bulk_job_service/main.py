"""Advanced I/O entry point: `POST /job` takes a CSV upload, `GET /status/<id>` reports on it."""

from crm_import.service import handle


def handler(request):
    return handle(request)
