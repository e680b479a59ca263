# SPDX-License-Identifier: GPL-3.0-or-later

from xivo.http_helpers import SpecResource


class Plugin:
    def load(self, dependencies):
        dependencies['api'].add_resource(SpecResource, '/api/api.yml')
