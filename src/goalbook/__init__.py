"""goalbook: goals and clinical questionnaires as plain YAML, rendered into a private progress book."""

__version__ = "0.1.0"
