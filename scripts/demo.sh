#!/usr/bin/env bash
# Sets up .venv and runs the main job on the embedded Zoho sandbox: serve, post the sample CSV
# through /server/crm_bulk_job_service/job, follow the bulk write jobs, print what landed.
# Extra arguments go to `catalyst-local demo` (e.g. --rows 60000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/catalyst-local demo "$@"
