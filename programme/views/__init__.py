"""The programme app's views, one module per subject; each opens with ``programme.access``."""
