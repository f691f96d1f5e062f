"""Exchange rates: the operator-maintained, dated rates that put offers in other currencies into an RFQ's."""
