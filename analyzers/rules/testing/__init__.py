"""TST: tests that no longer match the code."""
