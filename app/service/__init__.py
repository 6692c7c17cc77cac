"""The wiring of `undertow serve` and `undertow worker`: settings, the webhook app, the HTTP server
around it, and the objects a review needs (`wiring.py`)."""
