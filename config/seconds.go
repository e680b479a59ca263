package config

import "time"

// Seconds is a duration in a config file: a number of seconds, whole or
// not, as Wazo's Python daemons write them (timeout: 10, ttl_interval:
// 0.5). Code reads it as a time.Duration.
type Seconds float64

// Duration is s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(float64(s) * float64(time.Second)) }
