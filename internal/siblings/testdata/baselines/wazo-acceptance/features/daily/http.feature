# Baseline of wazo-platform/wazo-acceptance at 69975a7cba0a (2026-04-24):
# features/daily/http.feature with its first table as that commit has it;
# the second table is cut to one row.
Feature: HTTP

  Scenario Outline: REST APIs are reachable from port 443
    Then "<method>" "<url>" does not answer 404

  Examples:
    | method | url                          |
    | GET    | /api/agentd/1.0/agents       |
    | POST   | /api/amid/1.0/action/Command |
    | GET    | /api/asterisk/ws             |
    | GET    | /api/auth/0.1/backends       |
    | GET    | /api/call-logd/1.0/cdr       |
    | GET    | /api/calld/1.0/status        |
    | GET    | /api/chatd/1.0/status        |
    | GET    | /api/confd/1.1/infos         |
    | GET    | /api/dird/0.1/config         |
    | GET    | /api/plugind/0.2/config      |
    | GET    | /api/provd/0.2/configure     |
    | GET    | /api/webhookd/1.0/config     |
    | GET    | /api/websocketd/             |

  @rate-limit
  Scenario Outline: Unauthenticated HTTP resources are throttled
    Then "<method>" "<url>" eventually receive the answer 429 instead of "<status_code>"

  Examples:
    | method | url                                                                 | status_code |
    | GET    | /api/auth/0.1/backends                                              | 200         |
