package consul

import (
	"fmt"
	"net/http"
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
// ServiceFinder sees), and reports the median over b.N starts. The goal is
// ≤ 30 ms (Wazo's Python wazo-setupd: ~450 ms). Run it with
// `make bench-consul` (-benchtime 7x).
func BenchmarkExecToPassing(b *testing.B) {
	bin := doctordBinary(b)
	c := testenv.StartConsul(b, testenv.ConsulOptions{})
	dir := b.TempDir()
	var times, agentTimes, servingTimes []time.Duration
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
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
		// In the order they happen: the daemon serves (registration
		// starts only then), the agent has it passing, the catalog (what
		// Wazo's lookups read) has it passing.
		serving(b, client, port, 10*time.Second)
		servingTimes = append(servingTimes, time.Since(start))
		agentPassing(b, c, 10*time.Second)
		agentTook := time.Since(start)
		waitAnyPassing(b, c, 10*time.Second)
		took := time.Since(start)
		b.StopTimer()
		times = append(times, took)
		agentTimes = append(agentTimes, agentTook)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("wazo-doctord exit after SIGTERM: %v", err)
		}
		waitGone(b, c, 10*time.Second)
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(times)
	slices.Sort(agentTimes)
	slices.Sort(servingTimes)
	median := times[len(times)/2]
	b.ReportMetric(ms(median), "ms-median")
	b.ReportMetric(ms(agentTimes[len(agentTimes)/2]), "ms-median-agent")
	b.ReportMetric(0, "ns/op")
	if b.N == 1 {
		return // the testing package's warm-up run; the summary is for b.N starts
	}
	fmt.Printf("exec → passing in the consul catalog: median %.1f ms over %d starts (min %.1f, max %.1f)   goal ≤ 30 ms\n",
		ms(median), len(times), ms(times[0]), ms(times[len(times)-1]))
	fmt.Printf("exec → passing on the local agent:   median %.1f ms (min %.1f, max %.1f)\n",
		ms(agentTimes[len(agentTimes)/2]), ms(agentTimes[0]), ms(agentTimes[len(agentTimes)-1]))
	fmt.Printf("exec → serving api.yml (the daemon): median %.1f ms (min %.1f, max %.1f)\n",
		ms(servingTimes[len(servingTimes)/2]), ms(servingTimes[0]), ms(servingTimes[len(servingTimes)-1]))
}

// serving polls the daemon's api.yml until it answers 200.
func serving(b *testing.B, client *http.Client, port int, within time.Duration) {
	url := fmt.Sprintf("http://127.0.0.1:%d/1.0/api/api.yml", port)
	deadline := time.Now().Add(within)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("wazo-doctord not serving within %v", within)
		}
		time.Sleep(200 * time.Microsecond) // polling interval
	}
}

// agentPassing polls the agent's own list of wazo-doctord instances until
// one is passing.
func agentPassing(b *testing.B, c *testenv.Consul, within time.Duration) {
	deadline := time.Now().Add(within)
	for {
		var out []struct{ AggregatedStatus string }
		if err := c.Get("/v1/agent/health/service/name/"+name, &out); err == nil && len(out) == 1 && out[0].AggregatedStatus == "passing" {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("no passing %s on the agent within %v", name, within)
		}
		time.Sleep(time.Millisecond) // polling interval
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
