"""Service-parts planning: how many spares of each part to keep at each depot.

Plain data in, plain data out (no database, no Flask):

- `poisson` — single-location functions: Poisson probabilities, expected backorders
  (the loss function) and their variance, computed as sums of positive terms so that
  deep tails keep full relative precision;
- `metric` — Sherbrooke's METRIC for a central depot and its bases, the best
  depot/base split for every total stock of one part, and marginal analysis across
  parts along each part's convex hull.
"""
