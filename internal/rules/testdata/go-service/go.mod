module example.com/wazo-exampled

go 1.24

require gopkg.in/yaml.v3 v3.0.1

require golang.org/x/text v0.3.0 // indirect
