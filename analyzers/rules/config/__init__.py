"""CFG: configuration and deployment drift."""
