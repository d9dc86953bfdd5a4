"""Forms of the programme app, one module per subject."""
