WAZO_SERVICES = [
    'call-logd', 'dxtora', 'provd', 'agid', 'asterisk', 'amid', 'agentd', 'dird', 'phoned', 'calld', 'websocketd', 'chatd',
]
DEFAULT_SERVICES = ['plugind', 'webhookd', 'sysconfd', 'confgend', 'confd', 'auth', 'exampled'] + WAZO_SERVICES
