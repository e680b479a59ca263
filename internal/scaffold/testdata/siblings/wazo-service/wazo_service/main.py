# Copyright 2021-2024 The Wazo Authors  (see the AUTHORS file)
# SPDX-License-Identifier: GPL-3.0-or-later

WAZO_SERVICES = [
    'call-logd',
    'dxtora',
    'provd',
    'agid',
    'asterisk',
    'amid',
    'agentd',
    'dird',
    'phoned',
    'calld',
    'websocketd',
    'chatd',
]
DEFAULT_SERVICES = [
    'plugind',
    'webhookd',
    'sysconfd',
    'confgend',
    'confd',
    'auth',
] + WAZO_SERVICES
ALL_SERVICES = ['rabbitmq-server', 'postgresql', 'nginx'] + DEFAULT_SERVICES
