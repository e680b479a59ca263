package testenv

import (
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// GrowthFactor is how much bigger the large input of LinearGrowth is than
// the small one; MaxGrowth is the largest ratio of work accepted. Linear
// work grows GrowthFactor times, quadratic work GrowthFactor² (64) times;
// the bound leaves room for constant costs and cache effects.
const (
	GrowthFactor = 8
	MaxGrowth    = 24
)

// LinearGrowth fails t when run's work grows faster than linearly with its
// input: it runs run on gen(n) and on gen(GrowthFactor*n) and compares the
// CPU time of the calling thread (the least of three runs each, so other
// processes on the machine do not count), and the bytes allocated. It is a
// ratio, never a time limit: a slower machine slows both sides.
func LinearGrowth[T any](t testing.TB, what string, n int, gen func(n int) T, run func(T)) {
	t.Helper()
	small, large := gen(n), gen(GrowthFactor*n)
	cpuS, allocS := cost(small, run)
	cpuL, allocL := cost(large, run)
	cpuRatio := float64(cpuL) / float64(max(cpuS, time.Microsecond))
	allocRatio := float64(allocL) / float64(max(allocS, 4<<10))
	if cpuRatio > MaxGrowth || allocRatio > MaxGrowth {
		t.Errorf("%s: %d× the input costs %.1f× the CPU time (%s -> %s) and %.1f× the memory allocated (%d -> %d bytes): more than %d×, not linear",
			what, GrowthFactor, cpuRatio, cpuS, cpuL, allocRatio, allocS, allocL, MaxGrowth)
	}
}

// cost is the least thread CPU time one run of run(in) takes (runs are
// repeated until a batch takes a measurable 5 ms; the best of three
// batches), and the bytes one run allocates.
func cost[T any](in T, run func(T)) (time.Duration, uint64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	reps := 1
	for {
		c0 := threadCPU()
		for i := 0; i < reps; i++ {
			run(in)
		}
		if threadCPU()-c0 >= 5*time.Millisecond || reps >= 1<<16 {
			break
		}
		reps *= 4
	}
	best := time.Duration(1 << 62)
	var alloc uint64
	for i := 0; i < 3; i++ {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		c0 := threadCPU()
		for j := 0; j < reps; j++ {
			run(in)
		}
		c1 := threadCPU()
		runtime.ReadMemStats(&m1)
		best = min(best, (c1-c0)/time.Duration(reps))
		alloc = (m1.TotalAlloc - m0.TotalAlloc) / uint64(reps)
	}
	return best, alloc
}

// threadCPU is the CPU time the calling thread has used.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID, which package syscall does not name
	if _, _, errno := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}
