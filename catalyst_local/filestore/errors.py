"""The File Store errors, with the cloud's status and code; the messages are ours (undocumented)."""

from catalyst_local.baas.errors import ErrorEntry

FOLDER_NOT_FOUND = ErrorEntry(404, "INVALID_ID", "Invalid Folder ID {folder_id}")
FILE_NOT_FOUND = ErrorEntry(404, "INVALID_ID", "Invalid File ID {file_id}")
FOLDER_NAME_REQUIRED = ErrorEntry(400, "INVALID_INPUT", "folder_name must be a non-empty string")
FOLDER_NAME_TAKEN = ErrorEntry(409, "DUPLICATE_VALUE", "A folder named {name} already exists")
FILE_NAME_REQUIRED = ErrorEntry(400, "INVALID_INPUT", "file_name must be a non-empty string")
FIELD_MISSING = ErrorEntry(400, "INVALID_INPUT", "The multipart field {field} is missing")
FIELD_REPEATED = ErrorEntry(400, "INVALID_INPUT",
                            "The multipart field {field} appears more than once")
FIELD_TOO_LONG = ErrorEntry(400, "INVALID_INPUT",
                            "The multipart field {field} is longer than {limit} bytes")
NOT_MULTIPART = ErrorEntry(400, "INVALID_INPUT",
                           "The upload must be a multipart/form-data body with a boundary")
MALFORMED_MULTIPART = ErrorEntry(400, "INVALID_INPUT", "The multipart body is malformed")
FILE_TOO_LARGE = ErrorEntry(400, "INVALID_INPUT",
                            "The file is larger than the File Store limit of {limit} bytes")
UPLOAD_INCOMPLETE = ErrorEntry(400, "INVALID_INPUT",
                               "The upload ended before its body was complete")
