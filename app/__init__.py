"""Undertow's I/O side: the command line, git access, caches and output renderers."""
