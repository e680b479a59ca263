// Command bare is the reference of `make bench`: a plain net/http server
// answering GET /1.0/api/api.yml and GET /1.0/status with the bytes of two
// files and nothing else (no logging, no limits, no tracing), on
// 127.0.0.1. It prints its port on stdout once it listens.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bare API_YML_FILE STATUS_JSON_FILE")
		os.Exit(2)
	}
	spec, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	status, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /1.0/api/api.yml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-yaml")
		w.Write(spec)
	})
	mux.HandleFunc("GET /1.0/status", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(status)
	})
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	http.Serve(ln, mux)
}
