"""Savings analytics: what a buyer company's sourcing saved, by category, vendor and month, and the marketplace's
figures for operators."""
