package minijail

// Kernel-level seccomp tests: each one compiles a policy written in
// minijail's language, lets the jail install it, and runs a small static Go
// program (internal/testprog/seccompprobe, built by the test with
// CGO_ENABLED=0) under it, reading the outcome from the program's output and
// the jail's status.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// goStartup is what the Go runtime of a static linux/amd64 binary (Go 1.26,
// CGO_ENABLED=0, without package os) asks for on every run between its
// execve and exit_group; TestSeccompKernelGoStartupList checks that each
// line is needed. Where from:
//
//	arch_prctl         ARCH_SET_FS, the thread-local storage of a static binary
//	sched_getaffinity  the CPU count
//	openat read close  /sys/kernel/mm/transparent_hugepage/hpage_pmd_size,
//	                   /proc/self/cgroup, /proc/self/mountinfo
//	pread64            the cgroup CPU limit files (Go 1.25+; kept open)
//	mmap madvise       the heap and its metadata (MADV_NOHUGEPAGE)
//	prctl              PR_SET_VMA names for the runtime's mappings (EINVAL is fine)
//	fcntl              F_GETFD on fds 0-2 (the runtime opens /dev/null for a closed one)
//	rt_sigaction rt_sigprocmask sigaltstack gettid
//	                   signal handling set-up, per thread
//	clone              sysmon and the other runtime threads
//	prlimit64          package syscall raises RLIMIT_NOFILE's soft limit
//	exit_group         the end
//
// The probe adds write for its report, openat, read and close for its
// command line, and what each mode tests. The list is Go's and may change
// with a Go release; the test says which line is no longer needed.
const goStartup = `arch_prctl: arg0 == ARCH_SET_FS
sched_getaffinity: 1
openat: 1
read: 1
close: 1
pread64: 1
mmap: 1
madvise: 1
prctl: arg0 == PR_SET_VMA
fcntl: 1
rt_sigaction: 1
rt_sigprocmask: 1
sigaltstack: 1
gettid: 1
clone: 1
prlimit64: 1
exit_group: 1
`

// goTiming is what the same runtime asks for on some runs only, depending
// on timing: futex (thread sleeps and wake-ups; seen in nearly every run),
// nanosleep (sysmon's usleep; nearly every run), sched_yield (osyield),
// getpid, tgkill and rt_sigreturn (asynchronous preemption signals), and,
// not seen here but on the runtime's paths, munmap (freeing), exit (a thread
// ending) and clock_gettime (only where the vDSO lacks the clock).
const goTiming = `futex: 1
nanosleep: 1
sched_yield: 1
getpid: 1
tgkill: 1
rt_sigreturn: 1
munmap: 1
exit: 1
clock_gettime: 1
`

// goRuntimePolicy is the base of every policy below: the Go runtime's needs
// and write, for the probe's report.
const goRuntimePolicy = "# Go runtime\n" + goStartup + goTiming + "# the probe's report\nwrite: 1\n"

// buildProbe builds internal/testprog/seccompprobe into a fresh directory
// any user can reach and returns the program's path.
func buildProbe(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "seccompprobe")
	cmd := exec.Command("go", "build", "-o", bin, "./internal/testprog/seccompprobe")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the probe: %v\n%s", err, out)
	}
	return bin
}

// probeResult is what one run of the probe gave: its status (0, or the
// jail's status from an *ExitError), the lines it printed, by step, and
// its whole output (standard output, then standard error) for messages.
type probeResult struct {
	status int
	steps  map[string]string
	out    string
}

// runProbe runs the probe with args in a jail with no_new_privs and the
// given policy (none when policy is ""), and returns its status and output.
// Any error other than a non-zero status fails the test.
func runProbe(t *testing.T, probe, policy string, args ...string) probeResult {
	t.Helper()
	j := New()
	j.NoNewPrivs()
	if policy != "" {
		if err := j.ParseSeccompFiltersFrom("probe.policy", strings.NewReader(policy)); err != nil {
			t.Fatalf("policy: %v\n%s", err, policy)
		}
	}
	return runProbeIn(t, j, probe, args...)
}

func runProbeIn(t *testing.T, j *Jail, probe string, args ...string) probeResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := j.Command(context.Background(), probe, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := probeResult{steps: map[string]string{}, out: stdout.String() + "stderr:\n" + stderr.String()}
	var ee *ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.status = ee.Status
	default:
		t.Fatalf("probe %v: %v\nstdout:\n%sstderr:\n%s", args, err, stdout.String(), stderr.String())
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			r.steps[k] = v
		}
	}
	return r
}

// expect checks a probe run: its status, and each step's printed result
// ("" for a step that must not have printed anything).
func (r probeResult) expect(t *testing.T, what string, status int, steps map[string]string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d; output:\n%s", what, r.status, status, r.out)
		return
	}
	for step, want := range steps {
		got, ok := r.steps[step]
		if want == "" && ok {
			t.Errorf("%s: step %q printed %q, want nothing (the filter must stop it first); output:\n%s", what, step, got, r.out)
		} else if want != "" && got != want {
			t.Errorf("%s: step %q = %q, want %q; output:\n%s", what, step, got, want, r.out)
		}
	}
}

func errnoResult(e syscall.Errno) string { return "errno " + strconv.Itoa(int(e)) }

// TestSeccompKernelKillsProgram runs a real static program under a policy
// file that allows what it needs except mkdirat: the kernel kills it (253)
// at that call, and with "mkdirat: return EPERM" the program sees EPERM.
// With mkdirat allowed the same program makes the directory, so the kill
// is the policy's doing.
func TestSeccompKernelKillsProgram(t *testing.T) {
	probe := buildProbe(t)
	tmp := t.TempDir()
	for _, tc := range []struct {
		name, rule string
		nnp        bool
		status     int
		mkdir      string // the probe's mkdir line; "" if it must not print one
		created    bool
	}{
		{"allowed", "mkdirat: 1", true, 0, "ok 0", true},
		{"not listed", "", true, StatusSeccompViolation, "", false},
		{"not listed, without no_new_privs", "", false, StatusSeccompViolation, "", false},
		{"condition false", "mkdirat: arg2 == 0700", true, StatusSeccompViolation, "", false},
		{"return EPERM", "mkdirat: return EPERM", true, 0, errnoResult(syscall.EPERM), false},
		{"return EPERM, without no_new_privs", "mkdirat: return EPERM", false, 0, errnoResult(syscall.EPERM), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "test.policy")
			if err := os.WriteFile(path, []byte(goRuntimePolicy+tc.rule+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			j := New()
			if tc.nnp {
				j.NoNewPrivs()
			}
			if err := j.ParseSeccompFilters(path); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(tmp, strings.ReplaceAll(tc.name, " ", "_"))
			r := runProbeIn(t, j, probe, "mkdir", dir)
			r.expect(t, tc.rule, tc.status, map[string]string{"mkdir": tc.mkdir})
			if _, err := os.Stat(dir); (err == nil) != tc.created {
				t.Errorf("%s: directory created: %v, want %v", tc.rule, err == nil, tc.created)
			}
		})
	}
}

// TestSeccompKernelIoctlTCGETSOnly runs a program that opens a pty master
// (/dev/ptmx), reads its termios (TCGETS) and then makes a second ioctl,
// under "ioctl: arg1 == TCGETS": TCGETS passes, TIOCSTI is killed (or gets
// the errno of a "; return" variant). The kernel's ioctl takes cmd as a
// 32-bit unsigned int, so TIOCSTI|1<<32 is TIOCSTI to it; the filter
// compares all 64 bits and refuses it, and refuses TCGETS|1<<32 too.
// A denylist ("arg1 != TIOCSTI") is bypassed that way (CVE-2019-10063):
// the test shows it, which is why such rules must be allowlists.
func TestSeccompKernelIoctlTCGETSOnly(t *testing.T) {
	if strconv.IntSize != 64 {
		t.Skip("the high-bit cases need 64-bit arguments")
	}
	probe := buildProbe(t)
	base := goRuntimePolicy
	const (
		injected = "ok 81" // the byte TIOCSTI queued ('Q') was read back
		ok       = "ok 0"
	)
	eperm := errnoResult(syscall.EPERM)

	// Without a rule on ioctl the kernel does what the probe asks, high
	// bits or not: the refusals below are the filter's.
	for _, cmd := range []string{"tcgets", "tcgets-high"} {
		runProbe(t, probe, base+"ioctl: 1\n", "pty", cmd).expect(t, "ioctl: 1, "+cmd, 0,
			map[string]string{"tcgets": ok, "ioctl": ok})
	}
	for _, cmd := range []string{"tiocsti", "tiocsti-high"} {
		runProbe(t, probe, base+"ioctl: 1\n", "pty", cmd).expect(t, "ioctl: 1, "+cmd, 0,
			map[string]string{"tcgets": ok, "ioctl": ok, "read": injected})
	}

	allow := base + "ioctl: arg1 == TCGETS\n"
	runProbe(t, probe, allow, "pty", "tcgets").expect(t, "TCGETS only, tcgets", 0,
		map[string]string{"tcgets": ok, "ioctl": ok})
	for _, cmd := range []string{"tiocsti", "tiocsti-high", "tcgets-high"} {
		r := runProbe(t, probe, allow, "pty", cmd)
		r.expect(t, "TCGETS only, "+cmd, StatusSeccompViolation,
			map[string]string{"tcgets": ok, "ioctl": "", "read": ""})
	}

	errno := base + "ioctl: arg1 == TCGETS; return EPERM\n"
	runProbe(t, probe, errno, "pty", "tcgets").expect(t, "TCGETS or EPERM, tcgets", 0,
		map[string]string{"tcgets": ok, "ioctl": ok})
	for _, cmd := range []string{"tiocsti", "tiocsti-high", "tcgets-high"} {
		runProbe(t, probe, errno, "pty", cmd).expect(t, "TCGETS or EPERM, "+cmd, 0,
			map[string]string{"tcgets": ok, "ioctl": eperm, "read": ""})
	}

	deny := base + "ioctl: arg1 != TIOCSTI\n"
	runProbe(t, probe, deny, "pty", "tiocsti").expect(t, "denylist, tiocsti", StatusSeccompViolation,
		map[string]string{"tcgets": ok, "ioctl": ""})
	runProbe(t, probe, deny, "pty", "tiocsti-high").expect(t, "denylist, tiocsti-high (CVE-2019-10063)", 0,
		map[string]string{"tcgets": ok, "ioctl": ok, "read": injected})
}

// TestSeccompKernelX32AndI386 runs getpid three ways under an x86_64
// policy that allows getpid: the native entry works, while the same call
// with the x32 bit (0x40000000|39) or through int $0x80 (i386 getpid, 20)
// is killed by the filter's x32 and architecture checks, also when the
// policy's default action is trap (which would make the Go runtime die of
// an unexpected SIGSYS with status 2, not 253).
func TestSeccompKernelX32AndI386(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("x32 and int $0x80 exist on x86_64 only")
	}
	probe := buildProbe(t)
	pid := func(r probeResult, step string) {
		t.Helper()
		v, ok := strings.CutPrefix(r.steps[step], "ok ")
		if n, err := strconv.Atoi(v); !ok || err != nil || n <= 1 {
			t.Errorf("%s: %q, want a pid; output:\n%s", step, r.steps[step], r.out)
		}
	}

	// Without a filter: getpid through int $0x80 returns the pid (the
	// kernel has IA32 emulation; without it int $0x80 is a SIGSEGV and
	// this test cannot show anything), and x32 getpid returns the pid or,
	// on a kernel without x32, ENOSYS: neither kills the process.
	r := runProbe(t, probe, "", "int80-getpid")
	if r.status != 0 {
		t.Fatalf("int $0x80 without a filter: status %d (IA32 emulation off?); output:\n%s", r.status, r.out)
	}
	pid(r, "int80-getpid")
	r = runProbe(t, probe, "", "x32-getpid")
	if r.status != 0 {
		t.Fatalf("x32 getpid without a filter: status %d; output:\n%s", r.status, r.out)
	}
	if r.steps["x32-getpid"] != errnoResult(syscall.ENOSYS) {
		pid(r, "x32-getpid")
	}

	for _, policy := range []string{
		goRuntimePolicy,
		"@default trap\n" + goRuntimePolicy,
	} {
		what := "default kill"
		if strings.HasPrefix(policy, "@default") {
			what = "default trap"
		}
		r := runProbe(t, probe, policy, "getpid")
		r.expect(t, what+", native getpid", 0, nil)
		pid(r, "getpid")
		if what == "default trap" {
			// The control: a native call the policy does not list traps,
			// and the Go runtime dies of the unexpected SIGSYS (status 2).
			runProbe(t, probe, policy, "mkdir", filepath.Join(t.TempDir(), "d")).expect(t, what+", mkdirat", 2,
				map[string]string{"mkdir": ""})
		}
		for _, mode := range []string{"x32-getpid", "int80-getpid"} {
			runProbe(t, probe, policy, mode).expect(t, what+", "+mode, StatusSeccompViolation,
				map[string]string{mode: ""})
		}
	}
}

// TestSeccompKernelGoStartupList checks that goStartup is the exact list
// the Go runtime needs on every run: the probe, given its mode in the
// environment (so that it makes no system call of its own but getpid and
// the write of its report), is killed without any one of its lines.
func TestSeccompKernelGoStartupList(t *testing.T) {
	probe := buildProbe(t)
	run := func(policy string) probeResult {
		t.Helper()
		j := New()
		j.NoNewPrivs()
		j.SetEnv([]string{"SECCOMPPROBE_MODE=getpid"})
		if err := j.ParseSeccompFiltersFrom("probe.policy", strings.NewReader(policy)); err != nil {
			t.Fatalf("policy: %v\n%s", err, policy)
		}
		return runProbeIn(t, j, probe)
	}
	lines := strings.Split(strings.TrimSuffix(goStartup, "\n"), "\n")
	for i, line := range lines {
		rest := append(append([]string(nil), lines[:i]...), lines[i+1:]...)
		run(strings.Join(rest, "\n")+"\n"+goTiming+"write: 1\n").expect(t, "without "+line, StatusSeccompViolation, nil)
	}
	r := run(goRuntimePolicy)
	r.expect(t, "all of it", 0, nil)
	if !strings.HasPrefix(r.steps["getpid"], "ok ") {
		t.Errorf("all of it: output:\n%s", r.out)
	}
}

// TestSeccompKernelPolicyIsOnlyTheTargets runs a program that makes two
// system calls, write and exit_group (internal/testprog/rawexit, entered
// without the Go runtime), under a policy of exactly those two: the jail's
// own steps after the filter is installed (the helper's execve) must not
// ask the policy for anything, whatever the size of the environment (a
// large one makes the helper allocate, and its Go runtime grow the heap or
// collect garbage, if any Go code runs between the filter and execve).
// Without write in the policy the program is killed: the filter is on.
func TestSeccompKernelPolicyIsOnlyTheTargets(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("rawexit's runtime-free entry point is written for amd64")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "rawexit")
	cmd := exec.Command("go", "build", "-ldflags=-E=main.start", "-o", bin, "./internal/testprog/rawexit")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build rawexit: %v\n%s", err, out)
	}
	var big []string
	for i := 0; i < 15; i++ {
		big = append(big, fmt.Sprintf("BIG%d=%s", i, strings.Repeat("x", 100_000)))
	}
	for _, tc := range []struct {
		name   string
		policy string
		env    []string
		status int
		out    string
	}{
		{"write and exit_group", "write: 1\nexit_group: 1\n", nil, 0, "rawexit\n"},
		{"write and exit_group, 1.5 MB environment", "write: 1\nexit_group: 1\n", big, 0, "rawexit\n"},
		{"exit_group only", "exit_group: 1\n", nil, StatusSeccompViolation, ""},
	} {
		// A few runs each: the helper's Go runtime is not deterministic.
		for run := 0; run < 3; run++ {
			j := New()
			j.NoNewPrivs()
			j.SetEnv(tc.env)
			if err := j.ParseSeccompFiltersFrom("rawexit.policy", strings.NewReader(tc.policy)); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			c := j.Command(context.Background(), bin)
			c.Stdout, c.Stderr = &stdout, &stderr
			err := c.Run()
			status := 0
			var ee *ExitError
			if errors.As(err, &ee) {
				status = ee.Status
			} else if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if status != tc.status || stdout.String() != tc.out {
				t.Errorf("%s, run %d: status %d, output %q; want %d, %q (stderr %q)",
					tc.name, run, status, stdout.String(), tc.status, tc.out, stderr.String())
				break
			}
		}
	}
}
