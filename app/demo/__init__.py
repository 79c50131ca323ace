"""A deterministic, realistic demo data set (a national after-sales network in China)."""
