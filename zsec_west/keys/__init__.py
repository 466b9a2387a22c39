"""Key handling shared by every command: encodings, fingerprints, known development keys."""
