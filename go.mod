module github.com/wazo-platform/wazo-servicekit

go 1.23

require gopkg.in/yaml.v3 v3.0.1

require github.com/rabbitmq/amqp091-go v1.10.0

require golang.org/x/mod v0.19.0
