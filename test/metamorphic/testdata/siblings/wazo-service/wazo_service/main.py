# SPDX-License-Identifier: GPL-3.0-or-later


class Service:
    def __init__(self, name, unit_name=None):
        self.name = name
        self.unit_name = unit_name or name


WAZO_SERVICES = [
    Service('wazo-provd'),
    Service('wazo-agid'),
    Service('asterisk'),
    Service('wazo-amid'),
    Service('wazo-calld'),
    Service('wazo-chatd'),
]
DEFAULT_SERVICES = [
    Service('wazo-plugind'),
    Service('wazo-webhookd'),
    Service('wazo-confd'),
    Service('wazo-tallyd'),
    Service('wazo-auth'),
] + WAZO_SERVICES

ALL_SERVICES = [
    Service('rabbitmq-server'),
    Service('postgresql'),
    Service('nginx'),
] + DEFAULT_SERVICES

SERVICE_GROUPS = {
    'wazo': WAZO_SERVICES,
    'default': DEFAULT_SERVICES,
    'all': ALL_SERVICES,
}
