from xivo.auth_verifier import required_acl


class Subscriptions:
    @required_acl('webhookd.subscriptions.read')
    def get(self):
        return {}
