"""GitHub access: installation tokens (auth), the retrying REST client (client)."""
