"""Views of the reporting app, one module per subject."""
