#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later

from setuptools import find_packages, setup

setup(
    name='wazo-tallyd',
    version='1.0',
    packages=find_packages(),
    package_data={'wazo_tallyd.plugins': ['*/api.yml']},
    entry_points={
        'console_scripts': ['wazo-tallyd=wazo_tallyd.main:main'],
        'wazo_tallyd.plugins': [
            'api = wazo_tallyd.plugins.api.plugin:Plugin',
            'status = wazo_tallyd.plugins.status.plugin:Plugin',
        ],
    },
)
