"""Contracts: prices a buyer company negotiated with a vendor."""
