"""Benchmark scenarios of the egov platform: ``egov bench NAME [--quick]`` (see README.md)."""
