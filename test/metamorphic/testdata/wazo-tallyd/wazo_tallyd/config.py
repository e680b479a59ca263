# SPDX-License-Identifier: GPL-3.0-or-later

import argparse

from xivo.chain_map import ChainMap
from xivo.config_helper import parse_config_file, read_config_file_hierarchy

_TALLYD_PORT = 9521

_DEFAULT_CONFIG = {
    'config_file': '/etc/wazo-tallyd/config.yml',
    'extra_config_files': '/etc/wazo-tallyd/conf.d',
    'debug': False,
    'log_level': 'info',
    'log_file': '/var/log/wazo-tallyd.log',
    'pid_file': '/run/wazo-tallyd/wazo-tallyd.pid',
    'user': 'wazo-tallyd',
    'rest_api': {
        'listen': '127.0.0.1',
        'port': _TALLYD_PORT,
        'certificate': None,
        'private_key': None,
        'cors': {'enabled': True, 'allow_headers': ['Content-Type']},
    },
    'auth': {'host': 'localhost', 'port': 9497, 'prefix': None, 'https': False},
    'bus': {'host': 'localhost', 'port': 5672, 'exchange_name': 'wazo-headers'},
    'consul': {'scheme': 'http', 'port': 8500},
    'service_discovery': {
        'enabled': True,
        'advertise_address': 'auto',
        'advertise_address_interface': 'eth0',
        'advertise_port': _TALLYD_PORT,
        'ttl_interval': 30,
        'refresh_interval': 27,
        'retry_interval': 2,
        'extra_tags': [],
    },
    'enabled_plugins': {'api': True, 'status': True},
}


def _parse_cli_args(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument('-c', '--config-file', action='store')
    parser.add_argument('-d', '--debug', action='store_true')
    parser.add_argument('-u', '--user', action='store')
    parsed = parser.parse_args(argv)
    result = {}
    if parsed.config_file:
        result['config_file'] = parsed.config_file
    if parsed.debug:
        result['debug'] = parsed.debug
    if parsed.user:
        result['user'] = parsed.user
    return result


def load_config(argv):
    cli_config = _parse_cli_args(argv)
    file_config = read_config_file_hierarchy(ChainMap(cli_config, _DEFAULT_CONFIG))
    return ChainMap(cli_config, file_config, _DEFAULT_CONFIG)
