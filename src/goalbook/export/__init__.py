"""Data out of goalbook: tidy CSV files and FHIR R4 NDJSON, both deterministic and owner-only."""
