"""UND: notices the engine raises about the review itself."""
