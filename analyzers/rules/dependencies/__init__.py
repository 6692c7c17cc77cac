"""DEP: dependency drift between imports and manifests."""
