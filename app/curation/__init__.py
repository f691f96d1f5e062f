"""Operators curating the catalog: the listing queue, matching, merging, segments and price lists."""
