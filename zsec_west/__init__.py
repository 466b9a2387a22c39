"""zsec-west: security work for Zephyr builds (check, sign, SBOM, TF-M)."""

__version__ = "0.1.0"
TOOL_NAME = "zsec-west"
