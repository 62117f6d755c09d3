"""The path from a local project to real Catalyst: `doctor` checks it, `package` builds it."""
