"""The alert pipeline and what steers it: rules, maintenance windows, alert tickets."""
