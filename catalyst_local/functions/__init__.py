"""Function hosting: one worker process per function, shaped like Catalyst's Python runtime."""
