"""Huntress: managed EDR whose incident reports are polled into tickets."""
