package main

// Integration tests: TestMain builds minijail0 (CGO_ENABLED=0) and copies
// this test binary next to it as the target program ("mj0-target"), which
// reports from inside the jail what the kernel says about it. They run as
// root (CI does) and create a test user with supplementary groups.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/seccomp/arch"
)

const targetName = "mj0-target"

// Test user and groups created by TestMain (and removed after).
const (
	testUser   = "mj0test"
	testGroup1 = "mj0test1"
	testGroup2 = "mj0test2"
)

var (
	binDir   string // world-readable directory holding both binaries
	minijail string // the minijail0 binary
	target   string // the target program
)

func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == targetName {
		os.Exit(targetMain(os.Args[1:]))
	}
	os.Exit(setupAndRun(m))
}

func setupAndRun(m *testing.M) int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "cmd/minijail0 integration tests run as root (CI does); run them with sudo")
		return 1
	}
	var err error
	binDir, err = os.MkdirTemp("", "minijail0-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(binDir)
	if err := os.Chmod(binDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	minijail = filepath.Join(binDir, "minijail0")
	build := exec.Command(goTool(), "build", "-o", minijail, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build minijail0: %v\n%s", err, out)
		return 1
	}
	target = filepath.Join(binDir, targetName)
	if err := copyFile(target, mustExecutable()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Jails left running by -i and -z become our children, so that the
	// tests can reap them after killing them.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "PR_SET_CHILD_SUBREAPER:", err)
		return 1
	}
	cleanup, err := createTestUser()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	return m.Run()
}

func goTool() string {
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

func mustExecutable() string {
	p, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return p
}

func copyFile(dst, src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("copy test binary: %w", err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		return fmt.Errorf("copy test binary: %w", err)
	}
	return nil
}

// createTestUser makes testUser (primary group nogroup) a member of
// testGroup1 and testGroup2, unless they exist already.
func createTestUser() (func(), error) {
	var undo []*exec.Cmd
	cleanup := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i].Run()
		}
	}
	for _, g := range []string{testGroup1, testGroup2} {
		if _, err := user.LookupGroup(g); err == nil {
			continue
		}
		if out, err := exec.Command("groupadd", g).CombinedOutput(); err != nil {
			cleanup()
			return nil, fmt.Errorf("groupadd %s: %v: %s", g, err, out)
		}
		undo = append(undo, exec.Command("groupdel", g))
	}
	if _, err := user.Lookup(testUser); err != nil {
		out, err := exec.Command("useradd", "-M", "-N", "-g", "nogroup", "-G", testGroup1+","+testGroup2,
			"-s", "/usr/sbin/nologin", "-d", "/nonexistent", testUser).CombinedOutput()
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("useradd %s: %v: %s", testUser, err, out)
		}
		undo = append(undo, exec.Command("userdel", testUser))
	}
	return cleanup, nil
}

// targetMain is the program run inside the jail.
func targetMain(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "target: no role")
		return 100
	}
	switch args[0] {
	case "status":
		return reportStatus()
	case "exit":
		n, _ := strconv.Atoi(args[1])
		return n
	case "touch":
		os.WriteFile(args[1], []byte("ran\n"), 0o644)
		return 0
	case "forward":
		// Wait for SIGTERM, record it, exit 42.
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM)
		os.WriteFile(args[1], []byte(strconv.Itoa(os.Getpid())), 0o644)
		sig := <-ch
		os.WriteFile(args[2], []byte(sig.String()), 0o644)
		return 42
	case "sleep":
		time.Sleep(time.Hour)
		return 0
	case "getpid":
		syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
		return 0
	}
	fmt.Fprintf(os.Stderr, "target: unknown role %q\n", args[0])
	return 100
}

func reportStatus() int {
	// Descriptors first, read with raw system calls so that the Go
	// runtime's poller does not add its own. The runtime does keep open
	// the cgroup CPU-limit files it reads at start-up: those are its own,
	// not inherited.
	var fds []string
	links := map[string]string{}
	if dfd, err := syscall.Open("/proc/self/fd", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0); err == nil {
		var names []string
		buf := make([]byte, 8192)
		for {
			n, err := syscall.ReadDirent(dfd, buf)
			if err != nil || n <= 0 {
				break
			}
			_, _, names = syscall.ParseDirent(buf[:n], -1, names)
		}
		self := strconv.Itoa(dfd)
		for _, n := range names {
			lb := make([]byte, 4096)
			k, _ := syscall.Readlink("/proc/self/fd/"+n, lb)
			l := string(lb[:max(k, 0)])
			if n != self && !strings.HasPrefix(l, "/sys/fs/cgroup/") {
				fds = append(fds, n)
				links[n] = l
			}
		}
		syscall.Close(dfd)
	}
	sort.Slice(fds, func(i, j int) bool {
		a, _ := strconv.Atoi(fds[i])
		b, _ := strconv.Atoi(fds[j])
		return a < b
	})
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "Fds:\t%s\n", strings.Join(fds, ","))
	for _, fd := range fds {
		fmt.Fprintf(w, "Fd%s:\t%s\n", fd, links[fd])
	}
	st, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(st), "\n") {
		for _, k := range []string{"Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:", "Seccomp:"} {
			if strings.HasPrefix(l, k) {
				fmt.Fprintf(w, "%s\n", strings.TrimRight(l, " "))
			}
		}
	}
	sb, err := unix.PrctlRetInt(unix.PR_GET_SECUREBITS, 0, 0, 0, 0)
	if err != nil {
		fmt.Fprintf(w, "Securebits:\terror %v\n", err)
	} else {
		fmt.Fprintf(w, "Securebits:\t%#x\n", sb)
	}
	sid, _ := unix.Getsid(0)
	fmt.Fprintf(w, "Pid:\t%d\nSid:\t%d\nPgid:\t%d\n", os.Getpid(), sid, unix.Getpgrp())
	for _, e := range os.Environ() {
		fmt.Fprintf(w, "Env:\t%s\n", e)
	}
	lim, _ := os.ReadFile("/proc/self/limits")
	for _, l := range strings.Split(string(lim), "\n") {
		if l != "" {
			fmt.Fprintf(w, "Limit:\t%s\n", strings.Join(strings.Fields(l), " "))
		}
	}
	return 0
}

// result is one minijail0 run.
type result struct {
	status int
	stdout string
	stderr string
}

// field returns the value of the first "Key:\tvalue" line of a status
// report.
func (r result) field(key string) string {
	for _, l := range strings.Split(r.stdout, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimRight(l, "\r"), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "<missing " + key + ">"
}

// fields returns the values of every "Key:\tvalue" line.
func (r result) fields(key string) []string {
	var out []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimRight(l, "\r"), key+":"); ok {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// hangGuard bounds a minijail0 run so that a hang fails the test instead
// of stalling CI; it is not a timing assertion.
const hangGuard = 2 * time.Minute

// outputFile returns a temporary file for a child's stdout or stderr
// (files, not pipes: a jail left running with -i must not hold a pipe the
// test waits on).
func outputFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readBack(t *testing.T, f *os.File) string {
	t.Helper()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func statusOf(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ws.ExitStatus(), nil
	}
	return -1, err
}

// mj runs minijail0 with args.
func mj(t *testing.T, args ...string) result {
	t.Helper()
	return mjWith(t, nil, args...)
}

func mjWith(t *testing.T, setup func(*exec.Cmd), args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, minijail, args...)
	stdout, stderr := outputFile(t), outputFile(t)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if setup != nil {
		setup(cmd)
	}
	err := cmd.Run()
	st, werr := statusOf(err)
	if werr != nil {
		t.Fatalf("minijail0 %q: %v", args, werr)
	}
	if ctx.Err() != nil {
		t.Fatalf("minijail0 %q did not finish", args)
	}
	return result{status: st, stdout: readBack(t, stdout), stderr: readBack(t, stderr)}
}

// jailStatus runs the status role under the given options and checks that
// it succeeded.
func jailStatus(t *testing.T, opts ...string) result {
	t.Helper()
	r := mj(t, append(opts, "--", target, "status")...)
	if r.status != 0 {
		t.Fatalf("minijail0 %q: status %d, stderr %q", opts, r.status, r.stderr)
	}
	return r
}

func gid(t *testing.T, name string) string {
	t.Helper()
	g, err := user.LookupGroup(name)
	if err != nil {
		t.Fatal(err)
	}
	return g.Gid
}

func sortedIDs(ids ...string) string {
	sort.Slice(ids, func(i, j int) bool {
		a, _ := strconv.Atoi(ids[i])
		b, _ := strconv.Atoi(ids[j])
		return a < b
	})
	return strings.Join(ids, " ")
}

func ownField(t *testing.T, key string) string {
	t.Helper()
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	return result{stdout: string(st)}.field(key)
}

func TestIdentity(t *testing.T) {
	g1, g2 := gid(t, testGroup1), gid(t, testGroup2)
	tests := []struct {
		opts               []string
		uid, gid, groups   string
		wantOwnGroupsInJal bool
	}{
		{[]string{"-u", "nobody", "-g", "nogroup"}, "65534", "65534", "", false},
		{[]string{"-u", "1", "-g", "1"}, "1", "1", "", false},
		{[]string{"-u", "daemon"}, "1", "0", "", false},
		{[]string{"-g", "daemon"}, "0", "1", "", false},
		{[]string{"-u", testUser, "-g", "nogroup", "-G"}, "", "65534", sortedIDs("65534", g1, g2), false},
		{[]string{"-G", "-u", testUser}, "", "0", sortedIDs("65534", g1, g2), false},
		{[]string{"-u", "nobody", "-g", "nogroup", "--add-suppl-group", testGroup2, "--add-suppl-group", "4"}, "65534", "65534", sortedIDs("4", g2), false},
		{[]string{"-u", "nobody", "-y"}, "65534", "0", "", true},
	}
	for _, tc := range tests {
		r := jailStatus(t, tc.opts...)
		uid := tc.uid
		if uid == "" {
			u, err := user.Lookup(testUser)
			if err != nil {
				t.Fatal(err)
			}
			uid = u.Uid
		}
		if got, want := r.field("Uid"), strings.Repeat(uid+"\t", 3)+uid; got != want {
			t.Errorf("%q: Uid %q, want %q", tc.opts, got, want)
		}
		if got, want := r.field("Gid"), strings.Repeat(tc.gid+"\t", 3)+tc.gid; got != want {
			t.Errorf("%q: Gid %q, want %q", tc.opts, got, want)
		}
		wantGroups := tc.groups
		if tc.wantOwnGroupsInJal {
			wantGroups = ownField(t, "Groups")
		}
		if got := r.field("Groups"); got != wantGroups {
			t.Errorf("%q: Groups %q, want %q", tc.opts, got, wantGroups)
		}
	}
}

// TestPrivileges checks capabilities, no_new_privs and securebits from
// inside the jail. The expected values are what upstream's minijail0 gives
// for the same options (measured with its -T static mode).
func TestPrivileges(t *testing.T) {
	full := ownField(t, "CapBnd")
	tests := []struct {
		opts                    []string
		inh, prm, eff, bnd, amb string
		nnp                     string
		securebits              int // low byte (the bits upstream knows)
	}{
		{nil, "0000000000000000", full, full, full, "0000000000000000", "1", 0},
		{[]string{"--no-default-runtime-environment"}, "0000000000000000", full, full, full, "0000000000000000", "0", 0},
		{[]string{"-n", "--no-default-runtime-environment"}, "0000000000000000", full, full, full, "0000000000000000", "1", 0},
		{[]string{"-u", "nobody", "-g", "nogroup"}, "0000000000000000", "0000000000000000", "0000000000000000", full, "0000000000000000", "1", 0},
		{[]string{"-u", "nobody", "-g", "nogroup", "-c", "0", "-n"}, "0000000000000000", "0000000000000000", "0000000000000000", "0000000000000000", "0000000000000000", "1", 0x2f},
		{[]string{"-u", "nobody", "-g", "nogroup", "-c", "cap_net_raw,cap_net_admin=e", "--ambient"}, "0000000000003000", "0000000000003000", "0000000000003000", "0000000000003000", "0000000000003000", "1", 0x2f},
		{[]string{"-c", "0x3000"}, "0000000000003000", "0000000000003000", "0000000000003000", "0000000000003000", "0000000000003000", "1", 0x2f},
		// Upstream keeps the full bounding set here too.
		{[]string{"-c", "3000", "--ambient", "-B", "0x21"}, "0000000000003000", "0000000000003000", "0000000000003000", full, "0000000000003000", "1", 0x0e},
	}
	for _, tc := range tests {
		r := jailStatus(t, tc.opts...)
		for _, c := range []struct{ key, want string }{
			{"CapInh", tc.inh}, {"CapPrm", tc.prm}, {"CapEff", tc.eff}, {"CapBnd", tc.bnd}, {"CapAmb", tc.amb},
			{"NoNewPrivs", tc.nnp}, {"Seccomp", "0"},
		} {
			if got := r.field(c.key); got != c.want {
				t.Errorf("%q: %s %q, want %q", tc.opts, c.key, got, c.want)
			}
		}
		sb, err := strconv.ParseUint(r.field("Securebits"), 0, 64)
		if err != nil {
			t.Errorf("%q: securebits %q", tc.opts, r.field("Securebits"))
		} else if int(sb&0xff) != tc.securebits {
			t.Errorf("%q: securebits %#x, want %#x in the low byte", tc.opts, sb, tc.securebits)
		}
	}
}

func TestRlimits(t *testing.T) {
	// Limits only lowered: the test may run without CAP_SYS_RESOURCE. The
	// reader is cat, since a Go program raises its own soft RLIMIT_NOFILE.
	r := mj(t, "-R", "RLIMIT_NOFILE,64,0x80", "-R", "RLIMIT_CORE,0,unlimited", "-R", "12,010,0x10", "/bin/cat", "/proc/self/limits")
	if r.status != 0 {
		t.Fatalf("status %d, stderr %q", r.status, r.stderr)
	}
	var lines []string
	for _, l := range strings.Split(r.stdout, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	limits := strings.Join(lines, "\n")
	for _, want := range []string{"Max open files 64 128 files", "Max core file size 0 unlimited bytes", "Max msgqueue size 8 16 bytes"} {
		if !strings.Contains(limits, want) {
			t.Errorf("limits lack %q:\n%s", want, limits)
		}
	}
}

func TestEnvironment(t *testing.T) {
	r := jailStatus(t, "--env-reset", "--env-add", "A=1", "--env-add=B=x=y", "--env-add", "A=3")
	if got := strings.Join(r.fields("Env"), " "); got != "A=3 B=x=y" {
		t.Errorf("--env-reset --env-add: environment %q", got)
	}
	r = mjWith(t, func(c *exec.Cmd) { c.Env = []string{"KEEP=1", "PATH=/bin"} }, "--env-add", "NEW=2", target, "status")
	if got := strings.Join(r.fields("Env"), " "); got != "KEEP=1 PATH=/bin NEW=2" {
		t.Errorf("--env-add: environment %q (status %d %s)", got, r.status, r.stderr)
	}
	r = mjWith(t, func(c *exec.Cmd) { c.Env = []string{"KEEP=1"} }, target, "status")
	if got := strings.Join(r.fields("Env"), " "); got != "KEEP=1" {
		t.Errorf("inherited environment %q", got)
	}
}

func TestPreserveFD(t *testing.T) {
	f1, f2 := outputFile(t), outputFile(t)
	extra := func(c *exec.Cmd) { c.ExtraFiles = []*os.File{f1, f2} } // fds 3 and 4
	r := mjWith(t, extra, "--preserve-fd", "4", target, "status")
	if got := r.field("Fds"); got != "0,1,2,4" {
		t.Errorf("--preserve-fd 4: fds %q (stderr %s)", got, r.stderr)
	}
	if got := r.field("Fd4"); got != f2.Name() {
		t.Errorf("--preserve-fd 4: fd 4 is %q, want %q", got, f2.Name())
	}
	r = mjWith(t, extra, target, "status")
	if got := r.field("Fds"); got != "0,1,2" {
		t.Errorf("no --preserve-fd: fds %q (stderr %s)", got, r.stderr)
	}
	r = mjWith(t, extra, "-u", "nobody", "-g", "nogroup", "--preserve-fd", "3", "--preserve-fd", "4", target, "status")
	if got := r.field("Fds"); got != "0,1,2,3,4" {
		t.Errorf("--preserve-fd 3 and 4: fds %q (stderr %s)", got, r.stderr)
	}
}

// openPTY returns a pseudo-terminal's master and slave.
func openPTY(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	return master, slave
}

func TestSessionOnTerminal(t *testing.T) {
	ownSid, err := unix.Getsid(0)
	if err != nil {
		t.Fatal(err)
	}
	onPTY := func(args ...string) result {
		master, slave := openPTY(t)
		var out []byte
		done := make(chan struct{})
		go func() {
			out, _ = io.ReadAll(master) // EIO once the slave side is closed
			close(done)
		}()
		r := mjWith(t, func(c *exec.Cmd) { c.Stdin, c.Stdout, c.Stderr = slave, slave, slave }, args...)
		slave.Close()
		<-done
		r.stdout = string(out)
		return r
	}
	r := onPTY(target, "status")
	if r.status != 0 {
		t.Fatalf("status %d: %s", r.status, r.stdout)
	}
	if r.field("Sid") != r.field("Pid") {
		t.Errorf("on a terminal: sid %s, pid %s: want a new session", r.field("Sid"), r.field("Pid"))
	}
	r = onPTY("--no-new-sessions", target, "status")
	if r.field("Sid") != strconv.Itoa(ownSid) {
		t.Errorf("--no-new-sessions: sid %s, want the caller's %d", r.field("Sid"), ownSid)
	}
	r = mj(t, target, "status")
	if r.field("Sid") != strconv.Itoa(ownSid) {
		t.Errorf("not on a terminal: sid %s, want the caller's %d", r.field("Sid"), ownSid)
	}
}

func TestExitStatus(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(notExec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want int
	}{
		{[]string{target, "exit", "0"}, 0},
		{[]string{target, "exit", "3"}, 3},
		{[]string{"-u", "nobody", "-g", "nogroup", target, "exit", "255"}, 255},
		{[]string{"/bin/sh", "-c", "kill -TERM $$"}, 128 + 15},
		{[]string{"/bin/sh", "-c", "kill -KILL $$"}, 128 + 9},
		{[]string{"/bin/sh", "-c", "kill -SYS $$"}, 253},
		{[]string{"/nonexistent/program"}, 127},
		{[]string{notExec}, 126},
		{[]string{"-x", target, "exit", "0"}, 1},
	}
	for _, tc := range tests {
		if r := mj(t, tc.args...); r.status != tc.want {
			t.Errorf("%q: status %d, want %d (stderr %q)", tc.args, r.status, tc.want, r.stderr)
		}
	}
}

// TestStrictSeccompKill checks -s: strict mode is set last, and the kernel
// kills (SIGKILL) the first system call it does not allow.
func TestStrictSeccompKill(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	// Strict mode is installed as the equivalent filter (see
	// minijail.Jail.UseSeccomp): the first call past execve that is not
	// read, write, _exit or sigreturn kills the target with SIGSYS.
	r := mj(t, "-s", target, "touch", marker)
	if r.status != 253 {
		t.Errorf("-s: status %d, want 253 (stderr %q)", r.status, r.stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("-s: the target got as far as creating a file")
	}
}

// bpfFilter writes a filter that kills the process on syscall nr (if
// non-negative) and allows everything else, as the raw struct sock_filter
// array --seccomp-bpf-binary reads.
func bpfFilter(t *testing.T, nr int) string {
	t.Helper()
	type insn struct {
		code   uint16
		jt, jf uint8
		k      uint32
	}
	prog := []insn{{0x06, 0, 0, 0x7fff0000}} // ret ALLOW
	if nr >= 0 {
		prog = []insn{
			{0x20, 0, 0, 0},          // ld [0] (nr)
			{0x15, 0, 1, uint32(nr)}, // jeq nr
			{0x06, 0, 0, 0x80000000}, // ret KILL_PROCESS
			{0x06, 0, 0, 0x7fff0000}, // ret ALLOW
		}
	}
	var b []byte
	for _, i := range prog {
		b = binary.NativeEndian.AppendUint16(b, i.code)
		b = append(b, i.jt, i.jf)
		b = binary.NativeEndian.AppendUint32(b, i.k)
	}
	p := filepath.Join(t.TempDir(), "filter.bpf")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSeccompFilter(t *testing.T) {
	allow := bpfFilter(t, -1)
	// A filter replaces the default no_new_privs (root may install one
	// without it).
	r := jailStatus(t, "--seccomp-bpf-binary", allow)
	if r.field("Seccomp") != "2" || r.field("NoNewPrivs") != "0" {
		t.Errorf("--seccomp-bpf-binary: Seccomp %s NoNewPrivs %s, want 2 and 0", r.field("Seccomp"), r.field("NoNewPrivs"))
	}
	r = jailStatus(t, "-n", "--seccomp-bpf-binary", allow)
	if r.field("Seccomp") != "2" || r.field("NoNewPrivs") != "1" {
		t.Errorf("-n --seccomp-bpf-binary: Seccomp %s NoNewPrivs %s, want 2 and 1", r.field("Seccomp"), r.field("NoNewPrivs"))
	}
	nr, ok := arch.Host().Syscall("getpid")
	if !ok {
		t.Fatal("no getpid in the host table")
	}
	kill := bpfFilter(t, int(nr))
	r = mj(t, "--seccomp-bpf-binary", kill, target, "getpid")
	if r.status != 253 || !strings.Contains(r.stderr, kill) {
		t.Errorf("killed by the filter: status %d, stderr %q; want 253 and the filter named", r.status, r.stderr)
	}
	// A policy that does not compile: exit 1 naming file:line, nothing runs.
	bad := filepath.Join(t.TempDir(), "bad.policy")
	if err := os.WriteFile(bad, []byte("read: 1\nno_such_syscall_mj: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "ran")
	r = mj(t, "-S", bad, target, "touch", marker)
	if r.status != 1 || !strings.Contains(r.stderr, bad+":2") {
		t.Errorf("bad policy: status %d, stderr %q", r.status, r.stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("bad policy: the target ran")
	}
}

func TestPIDFile(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "jail.pid")
	r := jailStatus(t, "-f", pidFile)
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := r.field("Pid") + "\n"; string(b) != want {
		t.Errorf("pid file %q, want %q", b, want)
	}
}

// killAndReap kills a jail minijail0 left running (reparented to the test
// process, a child subreaper) and reaps it.
func killAndReap(pid int) {
	syscall.Kill(pid, syscall.SIGKILL)
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
}

// waitFor polls for a condition another process brings about; the guard
// only keeps a broken run from hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestExitImmediately(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "jail.pid")
	r := mj(t, "-i", "-f", pidFile, target, "sleep")
	if r.status != 0 {
		t.Fatalf("-i: status %d, stderr %q", r.status, r.stderr)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer killAndReap(pid)
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatalf("the jail is not running after minijail0 -i returned: %v", err)
	}
	if want := target + "\x00sleep\x00"; string(cmdline) != want {
		t.Errorf("pid %d runs %q, want %q", pid, cmdline, want)
	}
}

func TestSignalForwarding(t *testing.T) {
	for _, noForward := range []bool{false, true} {
		dir := t.TempDir()
		ready, got, pidFile := filepath.Join(dir, "ready"), filepath.Join(dir, "got"), filepath.Join(dir, "pid")
		args := []string{"-f", pidFile, target, "forward", ready, got}
		if noForward {
			args = append([]string{"-z"}, args...)
		}
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		cmd := exec.CommandContext(ctx, minijail, args...)
		stderr := outputFile(t)
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the target to start", func() bool { _, err := os.Stat(ready); return err == nil })
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		st, err := statusOf(cmd.Wait())
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(pidFile)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if noForward {
			// minijail0 dies of the signal; the jail never saw it.
			if st != 128+int(syscall.SIGTERM) {
				t.Errorf("-z: minijail0 status %d, want %d", st, 128+int(syscall.SIGTERM))
			}
			if _, err := os.Stat(got); err == nil {
				t.Errorf("-z: the signal reached the jail")
			}
			if pid > 0 {
				killAndReap(pid)
			}
			continue
		}
		if st != 42 {
			t.Errorf("status %d, want 42 (the target's after SIGTERM); stderr %q", st, readBack(t, stderr))
		}
		if b, _ := os.ReadFile(got); string(b) != "terminated" {
			t.Errorf("the jail got %q, want SIGTERM", b)
		}
	}
}

func TestGenConfigRoundTrip(t *testing.T) {
	dir := t.TempDir()
	conf, marker := filepath.Join(dir, "jail.conf"), filepath.Join(dir, "ran")
	opts := []string{"-u", "nobody", "-g", "nogroup", "-c", "cap_net_raw=e", "-B", "0x20", "-n",
		"--env-reset", "--env-add", "A=1", "-R", "RLIMIT_NOFILE,64,128", "--add-suppl-group", testGroup1}
	r := mj(t, append(append([]string{"--gen-config", conf}, opts...), target, "touch", marker)...)
	if r.status != 0 {
		t.Fatalf("--gen-config: status %d, stderr %q", r.status, r.stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("--gen-config ran the program")
	}
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	want := "% minijail-config-file v0\n\nu = nobody\ng = nogroup\nc = cap_net_raw=e\nB = 0x20\nn\nenv-reset\nenv-add = A=1\nR = RLIMIT_NOFILE,64,128\nadd-suppl-group = " + testGroup1 + "\n"
	if string(b) != want {
		t.Errorf("generated:\n%s\nwant:\n%s", b, want)
	}
	direct := jailStatus(t, opts...)
	viaConfig := jailStatus(t, "--config", conf)
	strip := func(s string) string { // pids differ between runs
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.HasPrefix(l, "Pid:") && !strings.HasPrefix(l, "Sid:") && !strings.HasPrefix(l, "Pgid:") && !strings.HasPrefix(l, "Fd") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if strip(direct.stdout) != strip(viaConfig.stdout) {
		t.Errorf("jail from the command line:\n%s\nfrom the config file:\n%s", direct.stdout, viaConfig.stdout)
	}
	// The file exists now: a second --gen-config must not overwrite it.
	r = mj(t, "--gen-config", conf, "-n")
	if r.status != 1 || !strings.Contains(r.stderr, conf+" exists") {
		t.Errorf("--gen-config onto an existing file: status %d, stderr %q", r.status, r.stderr)
	}
}

// TestBadInput checks that bad input fails with status 1 and a message
// naming it, and that the target never runs.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.conf", "% minijail-config-file v0\nn\n")
	noHeader := write("noheader.conf", "u = nobody\n")
	nested := write("nested.conf", "% minijail-config-file v0\nn\nconfig = "+good+"\n")
	badKey := write("badkey.conf", "% minijail-config-file v0\n\nfrobnicate = 1\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-u", "no_such_user_mj0"}, "no_such_user_mj0"},
		{[]string{"-g", "no_such_group_mj0"}, "no_such_group_mj0"},
		{[]string{"--add-suppl-group", "no_such_group_mj0"}, "no_such_group_mj0"},
		{[]string{"-g", "0"}, "-g 0"},
		{[]string{"-u", "0"}, "-u 0"},
		{[]string{"-c", "cap_bogus=e"}, "cap_bogus"},
		{[]string{"-c", "cap_net_raw=x"}, "cap_net_raw=x"},
		{[]string{"-R", "RLIMIT_BOGUS,1,2"}, "RLIMIT_BOGUS"},
		{[]string{"-R", "RLIMIT_NOFILE,10"}, "RLIMIT_NOFILE,10"},
		{[]string{"-R", "RLIMIT_NOFILE,10,abc"}, "abc"},
		{[]string{"--config", noHeader}, noHeader + ":1"},
		{[]string{"--config", nested}, nested + ":3"},
		{[]string{"--config", badKey}, badKey + ":3"},
		{[]string{"--config", filepath.Join(dir, "missing.conf")}, "missing.conf"},
		{[]string{"-x"}, "invalid option -- 'x'"},
		{[]string{"--bogus-option"}, "unrecognized option '--bogus-option'"},
		{[]string{"-G"}, "-G"},
		{[]string{"--fs-path-ro", "/usr"}, "--fs-path-ro is not supported yet"},
		{[]string{"-a", "table"}, "-a table"},
		{[]string{"--preload-library", "/x.so"}, "preload"},
	}
	for i, tc := range tests {
		marker := filepath.Join(dir, fmt.Sprintf("ran%d", i))
		r := mj(t, append(tc.args, target, "touch", marker)...)
		if r.status != 1 {
			t.Errorf("%q: status %d, want 1", tc.args, r.status)
		}
		if !strings.HasPrefix(r.stderr, "minijail0: ") || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: stderr %q, want a message with %q", tc.args, r.stderr, tc.want)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("%q: the target ran", tc.args)
		}
	}
	// Bad options print the usage on stderr, nothing on stdout.
	r := mj(t, "-x", target, "exit", "0")
	if !strings.Contains(r.stderr, "Usage: minijail0") || r.stdout != "" {
		t.Errorf("-x: stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

func TestHelp(t *testing.T) {
	for _, a := range []string{"-h", "--help", "--he"} {
		r := mj(t, a)
		if r.status != 0 || !strings.HasPrefix(r.stdout, "Usage: minijail0") || r.stderr != "" {
			t.Errorf("%s: status %d, stdout %.40q, stderr %q", a, r.status, r.stdout, r.stderr)
		}
	}
	r := mj(t, "-H")
	nr, ok := arch.Host().Syscall("read")
	if !ok {
		t.Fatal("no read syscall in the host table")
	}
	if r.status != 0 || !strings.Contains(r.stdout, fmt.Sprintf("\n  read [%d]\n", nr)) {
		t.Errorf("-H: status %d, stdout %.200q", r.status, r.stdout)
	}
	r = mj(t)
	if r.status != 1 || !strings.Contains(r.stderr, "no program to run") {
		t.Errorf("no arguments: status %d, stderr %.80q", r.status, r.stderr)
	}
}

// TestExitImmediatelyPidNamespace: with -i the jail outlives minijail0 even
// with a pid namespace, whose init is otherwise killed with its caller.
func TestExitImmediatelyPidNamespace(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "jail.pid")
	r := mj(t, "-i", "-p", "-f", pidFile, target, "sleep")
	if r.status != 0 {
		t.Fatalf("-i -p: status %d, stderr %q", r.status, r.stderr)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer killAndReap(pid)
	// minijail0 has exited: a parent-death signal would have come by now.
	time.Sleep(200 * time.Millisecond)
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("the jail's init died with minijail0 -i: %v", err)
	}
	if f := strings.Fields(string(st)); len(f) > 2 && f[2] == "Z" {
		t.Fatalf("the jail's init died with minijail0 -i (zombie)")
	}
}
