"""RSK: risky code on changed lines."""
