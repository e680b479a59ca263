package consul

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// BenchmarkExecToPassing measures, for the real wazo-doctord binary, the
// time from exec to its entry passing in a real consul catalog (what Wazo's
// ServiceFinder sees), and reports the median over b.N starts. The issue's
// goal is ≤ 30 ms (Wazo's Python wazo-setupd: ~450 ms). Run it with
// `make bench-consul` (-benchtime 7x).
func BenchmarkExecToPassing(b *testing.B) {
	bin := doctordBinary(b)
	c := testenv.StartConsul(b, testenv.ConsulOptions{})
	dir := b.TempDir()
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		port := testenv.FreePort(b)
		cfg := doctordConfig(b, dir, port, c, 0, testenv.FreePort(b))
		cmd := exec.Command(bin, "--dev", "-c", cfg)
		cmd.Env = append(os.Environ(), "XIVO_UUID="+xivoUUID)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		b.StartTimer()
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		waitAnyPassing(b, c, 10*time.Second)
		took := time.Since(start)
		b.StopTimer()
		times = append(times, took)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("wazo-doctord exit after SIGTERM: %v", err)
		}
		waitGone(b, c, 10*time.Second)
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(times)
	median := times[len(times)/2]
	b.ReportMetric(float64(median.Microseconds())/1000, "ms-median")
	b.ReportMetric(0, "ns/op")
	fmt.Printf("exec → passing in consul: median %.1f ms over %d starts (min %.1f, max %.1f)   goal ≤ 30 ms\n",
		ms(median), len(times), ms(times[0]), ms(times[len(times)-1]))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
