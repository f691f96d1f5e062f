"""Award scenarios: the buyer's constrained award plans, solved to the optimum, compared and awarded (issue #15)."""
