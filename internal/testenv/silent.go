package testenv

import (
	"context"
	"net"
	"sync"
)

// SilentClients holds n TCP connections to addr (127.0.0.1 in every
// caller) that never send a byte, opening a new one whenever the server
// closes one, until ctx ends or reconnects connections were opened in all.
// The returned wait blocks until every connection is closed.
func SilentClients(ctx context.Context, addr string, n, reconnects int) (wait func()) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	opened := 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				opened++
				over := opened > reconnects
				mu.Unlock()
				if over {
					return
				}
				c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
				if err != nil {
					return
				}
				stop := context.AfterFunc(ctx, func() { c.Close() })
				c.Read(make([]byte, 1)) // until the server closes it
				stop()
				c.Close()
			}
		}()
	}
	return wg.Wait
}
