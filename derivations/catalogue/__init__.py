"""One module per derivation; each defines ``DERIVATION``."""
