"""Reading a practice's records: strict YAML, schema validation with plain messages, the model, and where the practice and "today" are."""
