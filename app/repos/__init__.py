"""The repositories a review reads: fetched with git into a bare cache kept per repository."""
