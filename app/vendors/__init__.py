"""The vendor portal: a vendor's own listings and feed imports."""
