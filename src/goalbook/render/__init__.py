"""Turning view data into HTML: Markdown, inline SVG charts and the Jinja2 pages."""
