Feature: Services in consul

    Scenario Outline: Each daemon is registered in consul
        Then consul returns a running "<service>" service

    Examples:
        | service       |
        | wazo-auth     |
        | wazo-tallyd   |
        | wazo-webhookd |
