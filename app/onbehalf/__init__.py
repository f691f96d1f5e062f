"""Ordering on a buyer's behalf: which vendor sales users a buyer company lets act for it, and the audit log."""
