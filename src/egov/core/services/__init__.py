"""The core operations. Every state change of a core object goes through a function here."""
