Feature: HTTP APIs behind nginx

  Scenario Outline: Each REST API answers through port 443
    Then "<method>" "<url>" does not answer 404

  Examples:
    | method | url                        |
    | GET    | /api/auth/0.1/backends     |
    | GET    | /api/chatd/1.0/config      |
    | GET    | /api/tallyd/1.0/status     |
    | GET    | /api/webhookd/1.0/config   |
