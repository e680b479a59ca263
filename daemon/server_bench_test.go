package daemon

import (
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// BenchmarkServerLimits is the per-request cost of the server's limits
// (timeouts, the connection limiter and its state tracking) over
// loopback keep-alive connections, next to a plain http.Server serving
// the same handler in the same run.
func BenchmarkServerLimits(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	serve := func(b *testing.B, limited bool) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		var s *http.Server
		var l net.Listener = ln
		if limited {
			s, l = newServer(h, config.RestAPI{}, ln)
		} else {
			s = &http.Server{Handler: h}
		}
		go s.Serve(l)
		b.Cleanup(func() { s.Close() })
		return "http://" + ln.Addr().String() + "/"
	}
	for _, c := range []struct {
		name    string
		limited bool
	}{{"plain", false}, {"limited", true}} {
		b.Run(c.name, func(b *testing.B) {
			url := serve(b, c.limited)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		})
	}
}
