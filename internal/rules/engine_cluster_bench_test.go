package rules

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/consulsim"
)

// BenchmarkAuditCluster audits simulated clusters of 50, 100 and 200
// nodes (25 services of 20 verdicts each, answers after 2 ms) and reports,
// besides the time, the heap the finished report holds per node and the
// most requests in flight: the audit's own memory beyond its bounded
// in-flight answers is the verdicts it must report.
func BenchmarkAuditCluster(b *testing.B) {
	for _, n := range []int{50, 100, 200} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			d := &consulsim.Doctord{Services: 25, Results: 20, Delay: 2 * time.Millisecond}
			srv, port := d.Serve()
			defer srv.Close()
			cat := consulsim.ServeNodes(n, port)
			defer cat.Close()
			opts := ClusterOptions{ConsulURL: cat.URL, Token: "tok", DoctordPort: port}
			var retained uint64
			for i := 0; i < b.N; i++ {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				rep, err := AuditCluster(context.Background(), opts)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				if gaps, answered := ClusterCoverage(rep); gaps != 0 || answered != 25*n {
					b.Fatalf("%d gaps, %d answered", gaps, answered)
				}
				runtime.KeepAlive(rep)
				retained = after.HeapAlloc - before.HeapAlloc
			}
			b.ReportMetric(float64(retained)/1024/float64(n), "report-kB/node")
			b.ReportMetric(float64(d.Peak()), "max-in-flight")
		})
	}
}
