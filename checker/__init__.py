"""How we know: exact step checks, the reference MLP, gradient checks, answer grading and the CLI."""
