"""Dev tooling, never run in production: the local GitHub emulator (REST and git smart HTTP) and the demo."""
