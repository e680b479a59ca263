#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later

from setuptools import find_packages, setup

setup(
    name='wazo-tally-purge',
    version='1.0',
    packages=find_packages(),
    entry_points={'console_scripts': ['wazo-tally-purge=wazo_tally_purge.main:main']},
)
