#!/usr/bin/env python
# -*- coding: latin-1 -*-
"""Module de démonstration."""
naïve = 'café © °'
