from setuptools import setup
setup(name="wazo-webhookd", package_data={"wazo_webhookd.plugins": ["*/api.yml"]})
