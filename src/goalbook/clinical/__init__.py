"""Clinical arithmetic: questionnaire definitions, scoring, change, NHS Talking Therapies outcomes, GAS and goal progress. Pure functions."""
