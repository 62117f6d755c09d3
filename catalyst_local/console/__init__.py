"""The web console under `/_catalyst_local/console`: server-rendered pages of the emulator's state.

Plain HTML with a few lines of inline CSS and no script: every value is escaped, env values are
masked, and the only action (replaying an event) is a form post that redirects back.
"""
