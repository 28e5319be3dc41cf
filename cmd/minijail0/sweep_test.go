package main

// Bugs found by running minijail0 option by option. Each test fails on the
// code as found and passes once the bug is fixed.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSweepJoinBoundMountNamespaceWithNewOne: -V FILE joins the mount
// namespace FILE names; upstream opens FILE when the option is parsed, so
// -V combines with -v, -p, -r, -t... (it joins, then unshares a new mount
// namespace below it). Here FILE is opened by the helper after it was
// cloned into its new mount namespace, where a bind mount of a mount
// namespace file (how /run/namespaces/mnt_* files are kept) is not copied:
// setns fails with EINVAL and minijail0 exits 1 ("not a namespace file of
// that kind").
func TestSweepJoinBoundMountNamespaceWithNewOne(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mount(dir, dir, "", unix.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	defer unix.Unmount(dir, unix.MNT_DETACH)
	if err := unix.Mount("", dir, "", unix.MS_PRIVATE, ""); err != nil {
		t.Fatal(err)
	}
	nsFile, point := filepath.Join(dir, "mnt"), filepath.Join(dir, "point")
	if err := os.WriteFile(nsFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(point, 0o755); err != nil {
		t.Fatal(err)
	}
	marker := fmt.Sprintf("mj0sweep%d", os.Getpid())
	out, err := exec.Command("unshare", "--mount="+nsFile, "--propagation", "private",
		"mount", "-t", "tmpfs", "-o", "size=4k", marker, point).CombinedOutput()
	if err != nil {
		t.Fatalf("unshare: %v: %s", err, out)
	}
	defer unix.Unmount(nsFile, unix.MNT_DETACH)
	for _, opts := range [][]string{nil, {"-v"}, {"-p"}, {"-v", "-r"}} {
		args := append(append([]string{"-V", nsFile}, opts...), "--", "/bin/grep", "-q", marker, "/proc/self/mountinfo")
		r := mj(t, args...)
		if r.status != 0 {
			t.Errorf("minijail0 %q: status %d, want 0 (the joined namespace's mounts visible); stderr %q", args, r.status, r.stderr)
		}
	}
}

// TestSweepUserNamespaceInheritableCaps: with a user namespace the
// program starts with a full inheritable set, even as a non-root uid with
// no permitted capabilities. The helper raises its capabilities as
// ambient (which needs them inheritable) to survive its re-execution and
// clears the ambient set again, but never the inheritable set. Upstream's
// child keeps minijail0's inheritable set (empty), as every path without
// -U here does; a full inheritable set hands the capabilities of any file
// with inheritable file capabilities to the program when it executes it.
func TestSweepUserNamespaceInheritableCaps(t *testing.T) {
	for _, opts := range [][]string{
		{"-U", "-m", "-M"},
		{"-U", "-m", "-M", "-u", "nobody", "-g", "nogroup"},
		{"-U", "-m", "-M", "-n", "-p"},
	} {
		r := jailStatus(t, opts...)
		if got := r.field("CapInh"); got != "0000000000000000" {
			t.Errorf("%q: CapInh %s, want 0000000000000000 (the caller's)", opts, got)
		}
	}
	r := mjWith(t, asNobody, "-U", "-m", "-M", "--", target, "status")
	if r.status != 0 {
		t.Fatalf("uid 65534 -U -m -M: status %d, stderr %q", r.status, r.stderr)
	}
	if got := r.field("CapInh"); got != "0000000000000000" {
		t.Errorf("uid 65534 -U -m -M: CapInh %s, want 0000000000000000", got)
	}
}

// TestSweepNoForwardDefaultDisposition: with -z minijail0 forwards nothing,
// so (as upstream, which then installs no handlers) a signal sent to it has
// its default action: SIGUSR1 terminates minijail0 (138), SIGQUIT kills it
// with a core (131). Here the Go runtime's own dispositions apply instead:
// SIGUSR1, SIGUSR2 and SIGALRM are silently ignored (minijail0 keeps
// waiting), and SIGQUIT prints a goroutine dump and exits 2.
func TestSweepNoForwardDefaultDisposition(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGQUIT} {
		pidFile := filepath.Join(t.TempDir(), "pid")
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		cmd := exec.CommandContext(ctx, minijail, "-z", "-f", pidFile, "--", target, "sleep")
		stderr := outputFile(t)
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatal(err)
		}
		var pid int
		waitFor(t, "the pid file", func() bool {
			b, err := os.ReadFile(pidFile)
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			return err == nil && pid > 0
		})
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var werr error
		select {
		case werr = <-exited:
		case <-time.After(leakGuard):
			t.Errorf("-z, %s to minijail0: minijail0 ignored it", unix.SignalName(sig))
			killAndReap(pid)
			werr = <-exited
		}
		cancel()
		st, err := statusOf(werr)
		if err != nil {
			t.Fatal(err)
		}
		if want := 128 + int(sig); st != want {
			t.Errorf("-z, %s to minijail0: status %d, want %d (stderr %.200q)", unix.SignalName(sig), st, want, readBack(t, stderr))
		}
		killAndReap(pid)
	}
}

// TestSweepJoinMountNamespaceThenNew: upstream's -V FILE -v joins FILE's
// mount namespace and then unshares a new one below it (libminijail.c:
// setns(mountns_fd) then unshare(CLONE_NEWNS)), so -t, -r, -b and the
// remount of / stay in the jail. Here the helper is cloned into a new
// mount namespace and then joins FILE's, discarding the new one: the jail
// runs in the joined namespace itself, and its mounts (here the tmpfs of
// -t) land in it, under every other process that uses it.
func TestSweepJoinMountNamespaceThenNew(t *testing.T) {
	marker := fmt.Sprintf("mj0-sweep-join-%d-%d", os.Getpid(), time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, minijail, "-v", "--", target, "sleep", marker)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	var pids []int
	waitFor(t, "the first jail to start", func() bool { pids = procsWith(marker); return len(pids) == 1 })
	nsPath := fmt.Sprintf("/proc/%d/ns/mnt", pids[0])
	joined, err := os.Readlink(nsPath)
	if err != nil {
		t.Fatal(err)
	}
	tmpMounts := func() int {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pids[0]))
		n := 0
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) > 4 && f[4] == "/tmp" {
				n++
			}
		}
		return n
	}
	before := tmpMounts()
	r := mj(t, "-V", nsPath, "-v", "-t", "--", "/bin/readlink", "/proc/self/ns/mnt")
	if r.status != 0 {
		t.Fatalf("-V %s -v -t: status %d, stderr %q", nsPath, r.status, r.stderr)
	}
	if got := strings.TrimSpace(r.stdout); got == joined {
		t.Errorf("-V %s -v: the jail runs in the joined mount namespace %s itself, want a new one below it", nsPath, got)
	}
	if after := tmpMounts(); after != before {
		t.Errorf("-V %s -v -t: the jail's /tmp was mounted in the joined namespace (%d mounts on /tmp there, %d before)", nsPath, after, before)
	}
}

// TestSweepLogModeExitImmediately: -L makes every syscall the policy
// refuses run anyway and be logged (upstream: SECCOMP_RET_LOG, or its
// SIGSYS handler; either works without minijail0). Here log mode is a
// seccomp user notification answered by minijail0 itself, and with -i
// minijail0 exits at once: from then on every syscall outside the policy
// fails with ENOSYS (the listener is gone) and the program crashes
// (strace shows brk and mmap failing with ENOSYS, then SIGSEGV) instead
// of running in log mode.
func TestSweepLogModeExitImmediately(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "read.policy")
	if err := os.WriteFile(policy, []byte("read: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	goFile, done, pidFile := filepath.Join(dir, "go"), filepath.Join(dir, "done"), filepath.Join(dir, "pid")
	script := fmt.Sprintf("while [ ! -e %s ]; do sleep 0.02; done; echo ran > %s", goFile, done)
	r := mj(t, "-i", "-f", pidFile, "-L", "-S", policy, "--", "/bin/sh", "-c", script)
	if r.status != 0 {
		t.Fatalf("-i -L: status %d, stderr %q", r.status, r.stderr)
	}
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid > 0 {
		defer killAndReap(pid)
	}
	if err := os.WriteFile(goFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(leakGuard)
	for {
		if _, err := os.Stat(done); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("-i -L -S %s: the program did not run on in log mode after minijail0 returned", policy)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSweepPIDNamespaceForwardsEverySignal: minijail0 forwards every
// catchable signal but SIGCHLD (and SIGURG) to the jail (issue 2, README
// "Signals"), and does so without -p: the program gets SIGPIPE, SIGXCPU or
// a real-time signal sent to minijail0. With -p minijail0 sends them to
// its init, whose forwarding list (internal/pid1.Forwarded) leaves them
// out, so they are silently dropped and never reach the program.
func TestSweepPIDNamespaceForwardsEverySignal(t *testing.T) {
	for _, opts := range [][]string{nil, {"-p"}} {
		for _, sig := range []syscall.Signal{syscall.SIGPIPE, syscall.SIGXCPU, syscall.Signal(35)} {
			dir := t.TempDir()
			ready := filepath.Join(dir, "ready")
			script := fmt.Sprintf("trap 'exit 77' %d; : > %s; while :; do sleep 0.02; done", int(sig), ready)
			args := append(append([]string{}, opts...), "--", "/bin/sh", "-c", script)
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			cmd := exec.CommandContext(ctx, minijail, args...)
			if err := cmd.Start(); err != nil {
				cancel()
				t.Fatal(err)
			}
			waitFor(t, "the trap to be set", func() bool { _, err := os.Stat(ready); return err == nil })
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var werr error
			select {
			case werr = <-exited:
			case <-time.After(5 * time.Second):
				// Not forwarded: stop the jail (SIGTERM is).
				cmd.Process.Signal(syscall.SIGTERM)
				werr = <-exited
			}
			cancel()
			st, err := statusOf(werr)
			if err != nil {
				t.Fatal(err)
			}
			if st != 77 {
				t.Errorf("%q, signal %d to minijail0: status %d, want 77 (the program's trap ran)", opts, int(sig), st)
			}
		}
	}
}

// TestSweepRlimitsOnlyForProgram: -R limits the program (upstream sets them
// with prlimit on the child from minijail0, and its C child and init need
// next to nothing). Here the helper applies them to itself before its own
// later stages, which are Go programs: the pid-1 init's re-execution and
// the filter stage then run under the program's limits. Without -p or -S
// the same limits work; with them the jail fails before the program runs:
// RLIMIT_NOFILE 5 gives "start the init stage: memfd_create: too many
// open files" (-p, -U) or a Go runtime crash "netpollinit failed" (-S), and
// RLIMIT_AS 200 MB gives "fatal error: failed to reserve page summary
// memory" (-p) or "map execve trampoline: cannot allocate memory" (-S,
// even at 1 GB); RLIMIT_NPROC 1 with -u and -p makes the program's execve
// fail with EAGAIN (126).
func TestSweepRlimitsOnlyForProgram(t *testing.T) {
	policy := filepath.Join(t.TempDir(), "read.policy")
	if err := os.WriteFile(policy, []byte("read: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]string{nil, {"-v"}, {"-p"}, {"-U", "-m", "-M"}, {"-L", "-S", policy}, {"-p", "-L", "-S", policy}} {
		for _, lim := range []struct{ opt, want string }{
			{"RLIMIT_NOFILE,5,5", "Max open files 5 5 files"},
			{"RLIMIT_AS,200000000,200000000", "Max address space 200000000 200000000 bytes"},
		} {
			if lim.opt == "RLIMIT_NOFILE,5,5" && len(opts) == 4 {
				// Known limit: log mode's listener is a new fd made when
				// the filter goes in, after the limits; under -p the
				// stage that makes it holds five fds already (EMFILE,
				// fail closed). See README, "Differences".
				continue
			}
			args := append(append([]string{"-R", lim.opt}, opts...), "--", "/bin/cat", "/proc/self/limits")
			r := mj(t, args...)
			var lines []string
			for _, l := range strings.Split(r.stdout, "\n") {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
			if r.status != 0 || !strings.Contains(strings.Join(lines, "\n"), lim.want) {
				t.Errorf("minijail0 -R %s %q: status %d, want 0 and %q; stderr %.200q", lim.opt, opts, r.status, lim.want, r.stderr)
			}
		}
	}
	// RLIMIT_NPROC counts the tasks of the program's user: the program
	// alone is one. Under -p the init forks it from a thread that took the
	// privilege steps first, so two tasks of that user exist at its execve,
	// which fails with EAGAIN.
	for _, opts := range [][]string{nil, {"-v"}, {"-p"}, {"-L", "-S", policy}, {"-p", "-L", "-S", policy}} {
		args := append(append([]string{"-u", "54321", "-g", "54321", "-R", "RLIMIT_NPROC,1,1"}, opts...), "--", "/bin/cat", "/proc/self/limits")
		r := mj(t, args...)
		if r.status != 0 || !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), "Max processes 1 1 processes") {
			t.Errorf("minijail0 %q: status %d, want 0 and the program's limits; stderr %.200q", args, r.status, r.stderr)
		}
	}
}

// TestSweepLogModeOutlivesMinijail: like -i, -z lets the program outlive
// minijail0 (a signal sent to minijail0 takes its default action and is
// not forwarded, as upstream). Log mode must not depend on minijail0 being
// alive (upstream uses SECCOMP_RET_LOG), but with -z -L the user
// notification answered by minijail0 is still used: once minijail0 died
// of SIGTERM, every syscall outside the policy fails with ENOSYS and the
// program crashes instead of running on in log mode.
func TestSweepLogModeOutlivesMinijail(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "read.policy")
	if err := os.WriteFile(policy, []byte("read: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	goFile, done, pidFile := filepath.Join(dir, "go"), filepath.Join(dir, "done"), filepath.Join(dir, "pid")
	script := fmt.Sprintf("while [ ! -e %s ]; do sleep 0.02; done; echo ran > %s", goFile, done)
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, minijail, "-z", "-f", pidFile, "-L", "-S", policy, "--", "/bin/sh", "-c", script)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	waitFor(t, "the pid file", func() bool {
		b, err := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	})
	defer killAndReap(pid)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	st, err := statusOf(cmd.Wait())
	if err != nil {
		t.Fatal(err)
	}
	if st != 128+int(syscall.SIGTERM) {
		t.Fatalf("-z -L, SIGTERM to minijail0: status %d, want %d", st, 128+int(syscall.SIGTERM))
	}
	if err := os.WriteFile(goFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(leakGuard)
	for {
		if _, err := os.Stat(done); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("-z -L -S %s: the program did not run on in log mode after minijail0 died", policy)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
