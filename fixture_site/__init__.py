"""A fixture copy of rfi.fr/cn, in our own words, and a loopback server for it."""
