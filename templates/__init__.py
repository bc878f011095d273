"""The default theme (Jinja templates and CSS), shipped inside the package as generator.templates.

A user overrides any file by putting one of the same name in their own templates folder
(``filing-archive build --templates DIR``).
"""
