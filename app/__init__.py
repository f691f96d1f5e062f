"""B2B procurement marketplace."""

import os

# Piccolo binds every table to its engine when the table class is created, by importing
# the module named here: it has to be set before any tables module is imported.
os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")
