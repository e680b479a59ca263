#!/usr/bin/env python3
# Baseline of wazo-platform/wazo-service at 55f44e3fbda4 (2024-08-13):
# the Service lists of wazo_service/main.py and the lines around them, as
# that commit has them; the classes and functions are reduced to stubs.


class Service:
    def __init__(self, name, unit_name=None):
        self.name = name
        self.unit_name = unit_name or name


class PostgresService(Service):
    def __init__(self):
        super().__init__('postgresql')


def status(service_group):
    return 0


ACTIONS = {'status': status}
WAZO_SERVICES = [
    Service('wazo-call-logd'),
    Service('wazo-dxtora'),
    Service('wazo-provd'),
    Service('wazo-agid'),
    Service('asterisk'),
    Service('wazo-amid'),
    Service('wazo-agentd'),
    Service('wazo-dird'),
    Service('wazo-phoned'),
    Service('wazo-calld'),
    Service('wazo-websocketd'),
    Service('wazo-chatd'),
]
DEFAULT_SERVICES = [
    Service('wazo-plugind'),
    Service('wazo-webhookd'),
    Service('wazo-sysconfd'),
    Service('wazo-confgend'),
    Service('wazo-confd'),
    Service('wazo-auth'),
] + WAZO_SERVICES

ALL_SERVICES = [
    Service('rabbitmq-server'),
    PostgresService(),
    Service('nginx'),
] + DEFAULT_SERVICES

SERVICE_GROUPS = {
    'wazo': WAZO_SERVICES,
    'default': DEFAULT_SERVICES,
    'all': ALL_SERVICES,
}
