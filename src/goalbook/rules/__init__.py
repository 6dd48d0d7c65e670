"""The checks a loaded practice must pass beyond its schemas: references between files, clinical sense
and SMART lint (run by ``checks.py``)."""
