from xivo import xivo_logging
from xivo.user_rights import change_user


def main(config):
    if config['user']:
        change_user(config['user'])
    xivo_logging.setup_logging(config['log_file'], debug=config['debug'])
