# pyrace-test: min-confidence=high
"""FT006 with the default filter: class attributes of this module's classes are
high confidence (class state is shared by construction); a CapWords name
imported from elsewhere is only a class by convention (medium)."""

from app.config import Options


class Mode:
    verbose = False


def set_verbose(v):
    Mode.verbose = v  # want: FT006


def set_option(v):
    Options.verbose = v  # ok: medium confidence (imported name), filtered at high
