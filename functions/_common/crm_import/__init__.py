"""Import a CSV file into a Zoho CRM module through the Bulk Write API.

Shared by the two Catalyst functions of this project: `crm_bulk_job_service` (Advanced I/O: takes
the upload, answers status queries) and `crm_bulk_job_initiator` (Event: splits the file and
creates one bulk write job per batch). `functions/_common/vendor.py` copies this package into each
function folder before it is served or deployed, so each function deploys on its own.
"""
