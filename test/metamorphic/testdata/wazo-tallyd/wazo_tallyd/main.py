# SPDX-License-Identifier: GPL-3.0-or-later

import sys

from xivo import xivo_logging
from xivo.user_rights import change_user

from wazo_tallyd import config
from wazo_tallyd.controller import Controller


def main():
    conf = config.load_config(sys.argv[1:])

    if conf['user']:
        change_user(conf['user'])

    xivo_logging.setup_logging(conf['log_file'], debug=conf['debug'])

    Controller(conf).run()
