"""Ordering: carts, checkout, purchase orders per vendor, their fulfilment and contract consumption."""
