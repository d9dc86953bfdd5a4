"""What the reporting app's pages and renderer read, one module per subject."""
