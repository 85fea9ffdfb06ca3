"""Protection information for migrants, drawn from the GFMD 2020 report.

This package knows topics, languages and matching. It never imports the bot or a channel.
"""
