package minijail

import (
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkBareExec is the baseline: os/exec running /bin/true.
func BenchmarkBareExec(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if err := exec.Command("/bin/true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// markInheritedCloseOnExec does what minijail0 does at start: fds this
// process inherited (a shell's, say) would otherwise send every jail
// through the helper, which alone can close them.
func markInheritedCloseOnExec(b *testing.B) {
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		b.Fatal(err)
	}
}

func benchJail(b *testing.B, setup func(j *Jail)) {
	markInheritedCloseOnExec(b)
	j := New()
	setup(j)
	for i := 0; i < b.N; i++ {
		if st, err := j.Run("/bin/true", nil); err != nil || st != 0 {
			b.Fatalf("status %d, %v", st, err)
		}
	}
}

// BenchmarkStartTrue launches /bin/true in an empty jail (the direct path).
func BenchmarkStartTrue(b *testing.B) { benchJail(b, func(j *Jail) {}) }

// BenchmarkStartTrueDropped launches /bin/true as nobody, no capabilities,
// no_new_privs (still the direct path).
func BenchmarkStartTrueDropped(b *testing.B) {
	benchJail(b, func(j *Jail) { j.ChangeUID(65534); j.ChangeGID(65534); j.UseCaps(0); j.NoNewPrivs() })
}

func w1(j *Jail) {
	j.NamespacePIDs()
	j.NamespaceVFS()
	j.RemountProcReadonly()
	j.NamespaceNet()
	j.NamespaceIPC()
	j.NamespaceUTS()
	j.NoNewPrivs()
}

// BenchmarkW1 launches /bin/true with -p -v -r -e -l --uts.
func BenchmarkW1(b *testing.B) { benchJail(b, w1) }

// BenchmarkW1Parallel launches W1 jails 8 at a time.
func BenchmarkW1Parallel(b *testing.B) {
	markInheritedCloseOnExec(b)
	j := New()
	w1(j)
	b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 at a time here
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if st, err := j.Run("/bin/true", nil); err != nil || st != 0 {
				b.Errorf("status %d, %v", st, err)
				return
			}
		}
	})
}
