from xivo import xivo_logging


def main(config):
    xivo_logging.setup_logging(config['log_file'], debug=config['debug'])
