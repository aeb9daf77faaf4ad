"""lipgate core: media decoding, face analysis, the result model and report formats."""

__version__ = "0.1.0"
