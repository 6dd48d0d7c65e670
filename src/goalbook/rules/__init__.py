"""The checks a loaded practice must pass beyond its schemas: references between files, clinical sense, SMART lint, and questionnaire definitions."""
