"""The only place that reads inputs and writes outputs: atomic writes, YAML with line numbers."""
