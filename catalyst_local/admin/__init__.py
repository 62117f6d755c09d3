"""The admin API under `/_catalyst_local/...`: what the CLI verbs and the web console read and do.

None of it has a cloud counterpart. It answers loopback clients only (see `guard`), and never
shows a token or a secret env value (see `masking`).
"""
