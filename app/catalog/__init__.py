"""The shared catalog: categories, products, vendors' listings, segments, price lists and prices."""
