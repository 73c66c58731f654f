"""Restanse follow-up for Norwegian public archives: the domain, with no chat platform in sight."""
