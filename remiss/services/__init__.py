"""Every state change of referral rounds and responses, one named function each."""
