Feature: HTTP

  Scenario Outline: REST APIs are reachable from port 443
    Then "<method>" "<url>" does not answer 404

  Examples:
    | method | url                          |
    | GET    | /api/exampled/1.0/status     |
    | GET    | /api/webhookd/1.0/config     |
