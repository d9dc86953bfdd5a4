"""Every state change of the reporting app, one named function each."""
