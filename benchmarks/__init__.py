"""Benchmarks of the CSV import path: floors and peers, split and zip, upload, end to end.

Run `python -m benchmarks` from the repository root; `--help` lists the options. Results go to
`benchmarks/results/` (git-ignored) and a table is printed; see `benchmarks/README.md`.
"""
