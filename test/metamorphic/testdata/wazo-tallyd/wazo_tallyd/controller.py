# SPDX-License-Identifier: GPL-3.0-or-later

from xivo import pid_file
from xivo.consul_helpers import ServiceCatalogRegistration


class Controller:
    def __init__(self, config):
        self._config = config

    def run(self):
        with pid_file.pidfile(self._config['pid_file']):
            with ServiceCatalogRegistration(
                'wazo-tallyd',
                self._config.get('uuid'),
                self._config['consul'],
                self._config['service_discovery'],
                self._config['bus'],
                lambda: True,
            ):
                self._serve()

    def _serve(self):
        pass
