"""Vendors' sealed offers on RFQs, their revisions, and the buyer's awards."""
