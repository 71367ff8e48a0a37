"""Every state change of the catalogue goes through a function of this package."""
