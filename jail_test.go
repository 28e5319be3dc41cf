package minijail

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/caps"
	"github.com/minijail-go/minijail/seccomp"
	"github.com/minijail-go/minijail/seccomp/arch"
)

// targetEnv makes the test binary act as a jailed target: it prints what it
// sees from inside and exits.
const targetEnv = "MINIJAIL_TEST_TARGET"

func TestMain(m *testing.M) {
	if action := os.Getenv(targetEnv); action != "" {
		os.Exit(runTarget(action))
	}
	dir, err := os.MkdirTemp("", "minijail-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// The jailed targets run as other users: they need a copy of the
	// test binary they can reach (the build directory is private).
	os.Chmod(dir, 0o755)
	testBinary = filepath.Join(dir, "target")
	if b, err := os.ReadFile(os.Args[0]); err != nil || os.WriteFile(testBinary, b, 0o755) != nil {
		fmt.Fprintln(os.Stderr, "copy the test binary:", err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testBinary is a copy of the test binary that any user can execute.
var testBinary string

// runTarget prints the /proc/self/status fields tests look at, the
// securebits, the open fds, the session and the soft RLIMIT_NOFILE.
func runTarget(action string) int {
	switch action {
	case "status":
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			fmt.Println("error:", err)
			return 2
		}
		for _, line := range strings.Split(string(b), "\n") {
			k, _, _ := strings.Cut(line, ":")
			switch k {
			case "Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp":
				fmt.Println(strings.Join(strings.Fields(line), " "))
			}
		}
		bits, _ := caps.Securebits()
		fmt.Printf("Securebits: %#x\n", bits)
		ents, _ := os.ReadDir("/proc/self/fd")
		var fds []string
		for _, e := range ents {
			if n, _ := strconv.Atoi(e.Name()); n > 2 {
				if l, _ := os.Readlink("/proc/self/fd/" + e.Name()); !strings.HasPrefix(l, "/proc/") || !strings.HasSuffix(l, "/fd") {
					fds = append(fds, e.Name())
				}
			}
		}
		fmt.Println("Fds:", strings.Join(fds, ","))
		sid, _ := unix.Getsid(0)
		fmt.Println("SessionLeader:", sid == os.Getpid())
		var lim unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
		fmt.Println("Nofile:", lim.Cur, lim.Max)
		fmt.Println("Env:", os.Getenv("JAILTEST_VAR"))
		return 0
	case "fds":
		// Raw system calls only, before the Go runtime opens anything.
		dir, err := unix.Open("/proc/self/fd", unix.O_RDONLY|unix.O_DIRECTORY, 0)
		if err != nil {
			return 2
		}
		buf := make([]byte, 4096)
		n, _ := unix.Getdents(dir, buf)
		var names []string
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
		var fds []string
		for _, name := range names {
			// The Go runtime keeps the cgroup CPU limit files open.
			if l, _ := os.Readlink("/proc/self/fd/" + name); strings.HasPrefix(l, "/sys/fs/cgroup/") {
				continue
			}
			if name != strconv.Itoa(dir) {
				fds = append(fds, name)
			}
		}
		sort.Slice(fds, func(a, b int) bool { x, _ := strconv.Atoi(fds[a]); y, _ := strconv.Atoi(fds[b]); return x < y })
		sid, _ := unix.Getsid(0)
		fmt.Printf("Fds: %s\nSessionLeader: %v\nEnv: %s\n", strings.Join(fds, " "), sid == os.Getpid(), os.Getenv("JAILTEST_VAR"))
		return 0
	case "keyring":
		id, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_SESSION_KEYRING, false)
		if err != nil {
			fmt.Println("error:", err)
			return 2
		}
		fmt.Println(id)
		return 0
	case "exit7":
		return 7
	case "sigterm":
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		time.Sleep(time.Second)
		return 0
	case "sleep":
		time.Sleep(time.Minute)
		return 0
	case "enter":
		return enterTarget()
	case "cat":
		var buf bytes.Buffer
		buf.ReadFrom(os.Stdin)
		fmt.Print(strings.ToUpper(buf.String()))
		fmt.Fprint(os.Stderr, "to stderr")
		return 0
	}
	return 99
}

// status runs the test binary as target in j and returns the fields it
// printed.
func status(t *testing.T, j *Jail) map[string]string {
	t.Helper()
	j.SetEnv(append(os.Environ(), targetEnv+"=status"))
	out, err := j.Command(context.Background(), testBinary).Output()
	if err != nil {
		t.Fatalf("jail: %v", err)
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		m[k] = strings.TrimSpace(v)
	}
	return m
}

// bothPaths runs f with the direct path allowed and with the helper forced:
// both must give the same results.
func bothPaths(t *testing.T, f func(t *testing.T)) {
	for _, helper := range []bool{false, true} {
		t.Run(map[bool]string{false: "direct", true: "helper"}[helper], func(t *testing.T) {
			forceHelper = helper
			defer func() { forceHelper = false }()
			f(t)
		})
	}
}

func hexCaps(m uint64) string { return fmt.Sprintf("%016x", m) }

// ourBounding returns the caller's bounding set (a container may have
// dropped some).
func ourBounding(t *testing.T) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no CapBnd")
	return 0
}

// lockedSecurebits is what a jail using capabilities leaves after exec
// (KEEP_CAPS is cleared by execve), minus skip: with the exec bits of
// Linux 6.14 where the kernel has them.
func lockedSecurebits(skip uint64) string {
	bits := uint64(0x2f)
	var u unix.Utsname
	unix.Uname(&u)
	var major, minor int
	fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &major, &minor)
	if major > 6 || major == 6 && minor >= 14 {
		bits |= 0xf00
	}
	return fmt.Sprintf("%#x", bits&^skip)
}

func TestPrivileges(t *testing.T) {
	all := ourBounding(t)
	tests := []struct {
		name  string
		setup func(j *Jail) error
		want  map[string]string
	}{
		{"nothing", func(j *Jail) error { return nil },
			map[string]string{"Uid": "0 0 0 0", "CapEff": hexCaps(all), "CapBnd": hexCaps(all), "NoNewPrivs": "0", "Securebits": "0x0"}},
		{"user and group", func(j *Jail) error {
			if err := j.ChangeUser("nobody"); err != nil {
				return err
			}
			return j.ChangeGroup("nogroup")
		}, map[string]string{"Uid": "65534 65534 65534 65534", "Gid": "65534 65534 65534 65534", "Groups": "", "CapEff": hexCaps(0), "CapPrm": hexCaps(0), "CapBnd": hexCaps(all)}},
		{"caps as nobody", func(j *Jail) error {
			j.ChangeUID(65534)
			j.ChangeGID(65534)
			j.UseCaps(1<<13 | 1<<12)
			j.NoNewPrivs()
			return nil
		}, map[string]string{"Uid": "65534 65534 65534 65534", "CapInh": hexCaps(0x3000), "CapPrm": hexCaps(0x3000), "CapEff": hexCaps(0x3000),
			"CapBnd": hexCaps(0x3000), "CapAmb": hexCaps(0x3000), "NoNewPrivs": "1", "Securebits": lockedSecurebits(0)}},
		{"caps zero as root", func(j *Jail) error {
			j.UseCaps(0)
			return nil
		}, map[string]string{"Uid": "0 0 0 0", "CapPrm": hexCaps(0), "CapEff": hexCaps(0), "CapBnd": hexCaps(0), "CapAmb": hexCaps(0), "Securebits": lockedSecurebits(0)}},
		{"skip noroot securebits keeps bounding", func(j *Jail) error {
			j.UseCaps(1 << 13)
			j.ChangeUID(65534)
			j.SkipSettingSecurebits(caps.SecbitNoroot | caps.SecbitNorootLocked)
			return nil
		}, map[string]string{"CapEff": hexCaps(1 << 13), "CapBnd": hexCaps(all), "Securebits": lockedSecurebits(3)}},
		{"set groups", func(j *Jail) error {
			j.ChangeUID(65534)
			return j.SetSupplementaryGIDs([]uint32{5, 7})
		}, map[string]string{"Groups": "5 7"}},
		{"keep groups", func(j *Jail) error {
			j.ChangeUID(65534)
			return j.KeepSupplementaryGIDs()
		}, map[string]string{"Groups": groupsOfSelf()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bothPaths(t, func(t *testing.T) {
				j := New()
				if err := tc.setup(j); err != nil {
					t.Fatal(err)
				}
				got := status(t, j)
				for k, v := range tc.want {
					if got[k] != v {
						t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
					}
				}
			})
		})
	}
}

func groupsOfSelf() string {
	gs, _ := unix.Getgroups()
	var s []string
	for _, g := range gs {
		s = append(s, strconv.Itoa(g))
	}
	return strings.Join(s, " ")
}

func TestFDsEnvSessionLimits(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		defer w.Close()
		// An fd without close-on-exec that is not preserved must not reach
		// the target either.
		leak, err := unix.Dup(int(r.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(leak)
		j := New()
		if err := j.PreserveFD(int(w.Fd()), 9); err != nil {
			t.Fatal(err)
		}
		j.NewSession()
		j.SetEnv([]string{"JAILTEST_VAR=hello"})
		j.cfg.Env = append(j.cfg.Env, targetEnv+"=fds")
		out, err := j.Command(context.Background(), testBinary).Output()
		if err != nil {
			t.Fatal(err)
		}
		s := string(out)
		for _, want := range []string{"Fds: 0 1 2 9\n", "SessionLeader: true\n", "Env: hello\n"} {
			if !strings.Contains(s, want) {
				t.Errorf("output lacks %q:\n%s", want, s)
			}
		}
	})
}

func TestRlimit(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		// Without a limit asked for, the target gets the caller's (not the
		// one Go raised for itself); with one, exactly it.
		var lim unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
		j := New()
		out, err := j.Command(context.Background(), "/bin/sh", "-c", "ulimit -Sn; ulimit -Hn").Output()
		if want := fmt.Sprintf("%d\n%d\n", lim.Cur, lim.Max); err != nil || string(out) != want {
			t.Errorf("default limits %q, %v; want %q", out, err, want)
		}
		if err := j.Rlimit(unix.RLIMIT_NOFILE, 64, 128); err != nil {
			t.Fatal(err)
		}
		out, err = j.Command(context.Background(), "/bin/sh", "-c", "ulimit -Sn; ulimit -Hn").Output()
		if err != nil || string(out) != "64\n128\n" {
			t.Fatalf("limits %q, %v; want 64 128", out, err)
		}
	})
	j := New()
	j.Rlimit(unix.RLIMIT_NOFILE, 64, 128)
	if err := j.Rlimit(unix.RLIMIT_NOFILE, 1, 2); err == nil {
		t.Fatal("same rlimit twice accepted")
	}
	if err := New().Rlimit(unix.RLIMIT_CORE, 5, 4); err == nil {
		t.Fatal("soft above hard accepted")
	}
}

func TestExitStatuses(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		tests := []struct {
			action string
			want   int
		}{{"exit7", 7}, {"sigterm", 128 + 15}, {"status", 0}}
		for _, tc := range tests {
			j := New()
			j.SetEnv([]string{targetEnv + "=" + tc.action})
			p, _, err := j.StartPipes(testBinary, nil)
			if err != nil {
				t.Fatal(err)
			}
			st, err := p.Wait()
			if err != nil || st != tc.want {
				t.Errorf("%s: status %d, %v; want %d", tc.action, st, err, tc.want)
			}
		}
		j := New()
		st, err := j.Run("/nonexistent/prog", nil)
		var se *SetupError
		if !errors.As(err, &se) || se.Step != "execve" || !errors.Is(err, syscall.ENOENT) || st != StatusNoCommand {
			t.Errorf("missing program: status %d, error %v", st, err)
		}
		st, err = j.Run("/etc/passwd", nil)
		if !errors.Is(err, syscall.EACCES) || st != StatusNoAccess {
			t.Errorf("not executable: status %d, error %v", st, err)
		}
	})
}

// TestSeccompKill installs a filter built in Go (allow everything, kill
// mkdirat, fail unlinkat with EPERM) and checks its effect on a shell.
func TestSeccompKill(t *testing.T) {
	host := arch.Host()
	mkdir, _ := host.Syscall("mkdir")
	mkdirat, _ := host.Syscall("mkdirat")
	unlinkat, _ := host.Syscall("unlinkat")
	p := &seccomp.Policy{
		Arch: host,
		Syscalls: []seccomp.SyscallRules{
			{Name: "mkdir", Nr: mkdir, Else: seccomp.Action{Kind: seccomp.ActKillProcess}},
			{Name: "mkdirat", Nr: mkdirat, Else: seccomp.Action{Kind: seccomp.ActKillProcess}},
			{Name: "unlinkat", Nr: unlinkat, Else: seccomp.Action{Kind: seccomp.ActErrno, Value: uint16(syscall.EPERM)}},
		},
		Default: seccomp.Action{Kind: seccomp.ActAllow},
		BadArch: seccomp.Action{Kind: seccomp.ActKillProcess},
	}
	dir := t.TempDir()
	for _, nnp := range []bool{true, false} {
		j := New()
		if nnp {
			j.NoNewPrivs()
		}
		if err := j.SetSeccompPolicy(p, "test.policy"); err != nil {
			t.Fatal(err)
		}
		marker := filepath.Join(dir, "m")
		os.WriteFile(marker, nil, 0o644)
		out, err := j.Command(context.Background(), "/bin/sh", "-c", "rm "+marker+"; echo rm=$?; mkdir "+dir+"/y || echo mkdir failed; exec mkdir "+dir+"/x").CombinedOutput()
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Status != StatusSeccompViolation {
			t.Fatalf("nnp=%v: want status 253, got %v; output:\n%s", nnp, err, out)
		}
		if !strings.Contains(string(out), "rm=1") || !strings.Contains(string(out), "mkdir failed") {
			t.Errorf("nnp=%v: output:\n%s", nnp, out)
		}
		if _, err := os.Stat(marker); err != nil {
			t.Errorf("nnp=%v: the filter let unlink through: %v", nnp, err)
		}
	}
}

func TestCommand(t *testing.T) {
	j := New()
	j.SetEnv([]string{targetEnv + "=cat"})
	cmd := j.Command(context.Background(), testBinary)
	cmd.Stdin = strings.NewReader("hello")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || string(out) != "HELLO" || stderr.String() != "to stderr" {
		t.Fatalf("Output = %q, %v; stderr %q", out, err, stderr.String())
	}

	j = New()
	j.SetEnv([]string{targetEnv + "=exit7"})
	err = j.Command(context.Background(), testBinary).Run()
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Status != 7 {
		t.Fatalf("Run = %v, want status 7", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	j = New()
	j.SetEnv([]string{targetEnv + "=sleep"})
	cmd = j.Command(ctx, testBinary)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cancel()
	err = cmd.Wait()
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ee) || ee.Status != 128+9 {
		t.Fatalf("cancelled Wait = %v", err)
	}

	if err := New().Command(context.Background(), "no-such-program-xyz").Run(); err == nil {
		t.Fatal("missing program ran")
	}
}

func TestKill(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		j := New()
		j.SetEnv([]string{targetEnv + "=sleep"})
		p, err := j.Start(testBinary, nil)
		if err != nil {
			t.Fatal(err)
		}
		st, err := p.Kill()
		if err != nil || st != 128+15 {
			t.Fatalf("Kill = %d, %v", st, err)
		}
	})
}

func TestPIDFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pid")
	j := New()
	j.WritePIDFile(path)
	j.SetEnv([]string{targetEnv + "=exit7"})
	p, err := j.Start(testBinary, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != strconv.Itoa(p.Pid())+"\n" {
		t.Fatalf("pid file %q, %v; pid %d", b, err, p.Pid())
	}
	p.Wait()
}

func countFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func zombies(t *testing.T) int {
	ents, _ := os.ReadDir("/proc/self/task")
	n := 0
	for _, task := range ents {
		b, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/children")
		for _, pid := range strings.Fields(string(b)) {
			st, _ := os.ReadFile("/proc/" + pid + "/stat")
			if f := strings.Fields(string(st)); len(f) > 2 && f[2] == "Z" {
				n++
			}
		}
	}
	return n
}

func TestConcurrentLaunches(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		runtime.GC()
		fdsBefore := countFDs(t)
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				j := New()
				j.ChangeUID(65534)
				j.NoNewPrivs()
				j.SetEnv([]string{targetEnv + "=exit7"})
				st, err := j.Run(testBinary, nil)
				if err != nil || st != 7 {
					errs <- fmt.Errorf("launch %d: status %d, %v", i, st, err)
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		runtime.GC()
		if after := countFDs(t); after != fdsBefore {
			t.Errorf("fds: %d before, %d after", fdsBefore, after)
		}
		if z := zombies(t); z != 0 {
			t.Errorf("%d zombies left", z)
		}
		// Our own uid must be untouched: the jail's privilege drop happened on
		// threads that are gone.
		if os.Getuid() != 0 || os.Geteuid() != 0 {
			t.Fatal("the caller lost its uid")
		}
		if c, _ := caps.Get(); c.Effective == 0 {
			t.Fatal("the caller lost its capabilities")
		}
	})
}

func TestGroupChoicesConflict(t *testing.T) {
	j := New()
	if err := j.KeepSupplementaryGIDs(); err != nil {
		t.Fatal(err)
	}
	if err := j.AddSupplementaryGroup("0"); err == nil {
		t.Fatal("keep and add groups accepted together")
	}
	j = New()
	if err := j.InheritUsergroups(); err == nil {
		t.Fatal("inherit groups without a user name accepted")
	}
	if err := New().ChangeUID(0); !errors.Is(err, ErrUselessID) {
		t.Fatalf("uid 0: %v", err)
	}
	if err := New().ChangeGroup("root"); !errors.Is(err, ErrUselessID) {
		t.Fatalf("group root: %v", err)
	}
	if err := New().ChangeUser("no-such-user-xyz"); err == nil {
		t.Fatal("unknown user accepted")
	}
}

func TestEnterRefusesWhatNeedsAProcess(t *testing.T) {
	j := New()
	j.NamespacePIDs()
	if err := j.Enter(); err == nil || !strings.Contains(err.Error(), "use Start") {
		t.Fatalf("Enter with a pid namespace: %v", err)
	}
}

// TestEnter jails a re-executed copy of the test binary with Enter; it
// checks every thread from inside.
func TestEnter(t *testing.T) {
	cmd := New()
	cmd.SetEnv([]string{targetEnv + "=enter"})
	out, err := cmd.Command(context.Background(), testBinary).CombinedOutput()
	if err != nil {
		t.Fatalf("enter target: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "entered: threads ok, unlink EPERM") {
		t.Fatalf("output:\n%s", out)
	}
}

// enterTarget runs in the re-executed test binary: it enters a jail and
// reports whether every thread is jailed.
func enterTarget() int {
	host := arch.Host()
	unlinkat, _ := host.Syscall("unlinkat")
	j := New()
	j.ChangeUID(65534)
	j.ChangeGID(65534)
	j.UseCaps(0)
	j.NoNewPrivs()
	err := j.SetSeccompPolicy(&seccomp.Policy{
		Arch:     host,
		Syscalls: []seccomp.SyscallRules{{Name: "unlinkat", Nr: unlinkat, Else: seccomp.Action{Kind: seccomp.ActErrno, Value: uint16(syscall.EPERM)}}},
		Default:  seccomp.Action{Kind: seccomp.ActAllow},
		BadArch:  seccomp.Action{Kind: seccomp.ActKillProcess},
	}, "enter.policy")
	if err != nil {
		fmt.Println("policy:", err)
		return 1
	}
	// Make sure there are several threads before entering.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); runtime.LockOSThread(); time.Sleep(20 * time.Millisecond) }()
	}
	time.Sleep(5 * time.Millisecond)
	if err := j.Enter(); err != nil {
		fmt.Println("enter:", err)
		return 1
	}
	wg.Wait()
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		b, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/status")
		s := string(b)
		for _, want := range []string{"Uid:\t65534\t65534\t65534\t65534", "NoNewPrivs:\t1", "Seccomp:\t2", "CapEff:\t0000000000000000", "CapBnd:\t0000000000000000"} {
			if !strings.Contains(s, want) {
				fmt.Printf("thread %s lacks %q\n%s", task.Name(), want, s)
				return 1
			}
		}
	}
	f := filepath.Join(os.TempDir(), fmt.Sprintf("enter-%d", os.Getpid()))
	if err := syscall.Unlink(f); err != syscall.EPERM {
		fmt.Println("unlink:", err)
		return 1
	}
	fmt.Println("entered: threads ok, unlink EPERM")
	return 0
}

// TestSeccompLogMode: with LogSeccompFilterFailures, calls the policy does
// not allow run anyway, and the parent names each one.
func TestSeccompLogMode(t *testing.T) {
	j := New()
	j.NoNewPrivs()
	j.LogSeccompFilterFailures()
	var mu sync.Mutex
	var logs []string
	j.SetLogger(func(format string, args ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(format, args...))
		mu.Unlock()
	})
	// Only write and exit_group are listed: everything else is "blocked".
	if err := j.ParseSeccompFiltersFrom("log.policy", strings.NewReader("write: 1\nexit_group: 1\n")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, err := j.Command(context.Background(), "/bin/mkdir", dir+"/made").CombinedOutput()
	if err != nil {
		t.Fatalf("log mode jail failed: %v\n%s", err, out)
	}
	if _, err := os.Stat(dir + "/made"); err != nil {
		t.Fatalf("mkdir did not run in log mode: %v", err)
	}
	mu.Lock()
	all := strings.Join(logs, "\n")
	mu.Unlock()
	mkdirNr, _ := arch.Host().Syscall("mkdir")
	if !strings.Contains(all, fmt.Sprintf("mkdir (%d) is not allowed by log.policy", mkdirNr)) || !strings.Contains(all, "openat") {
		t.Fatalf("log lacks the blocked calls:\n%s", all)
	}
	if strings.Contains(all, "write (1)") {
		t.Fatalf("an allowed call was logged:\n%s", all)
	}
}

// TestSeccompUnderPidNamespace: a filter under -p goes through the init and
// a second helper stage; the target is still pid 2, log mode still names
// the refused calls, and a refused call still kills with SIGSYS.
func TestSeccompUnderPidNamespace(t *testing.T) {
	for _, logMode := range []bool{false, true} {
		j := New()
		j.NamespacePIDs()
		j.NoNewPrivs()
		var mu sync.Mutex
		var logs []string
		if logMode {
			j.LogSeccompFilterFailures()
			j.SetLogger(func(format string, args ...any) {
				mu.Lock()
				logs = append(logs, fmt.Sprintf(format, args...))
				mu.Unlock()
			})
		}
		if err := j.ParseSeccompFiltersFrom("pid.policy", strings.NewReader("write: 1\nexit_group: 1\n")); err != nil {
			t.Fatal(err)
		}
		out, err := j.Command(context.Background(), "/bin/sh", "-c", "echo pid=$$").CombinedOutput()
		if !logMode {
			var ee *ExitError
			if !errors.As(err, &ee) || ee.Status != StatusSeccompViolation {
				t.Errorf("kill mode: %v, output %q; want status 253", err, out)
			}
			continue
		}
		if err != nil || string(out) != "pid=2\n" {
			t.Errorf("log mode: %q, %v; want pid=2", out, err)
		}
		mu.Lock()
		all := strings.Join(logs, "\n")
		mu.Unlock()
		if !strings.Contains(all, "rt_sigaction") || !strings.Contains(all, "is not allowed by pid.policy") {
			t.Errorf("log mode under -p named nothing:\n%s", all)
		}
	}
}

// TestNewSessionKeyring: -w gives the target a session keyring of its own,
// with and without a pid namespace.
func TestNewSessionKeyring(t *testing.T) {
	keyring := func(j *Jail) string {
		j.SetEnv([]string{targetEnv + "=keyring"})
		out, err := j.Command(context.Background(), testBinary).Output()
		if err != nil {
			t.Fatalf("keyring: %v (%s)", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	plain := keyring(New())
	for _, pidns := range []bool{false, true} {
		j := New()
		if pidns {
			j.NamespacePIDs()
		}
		j.NewSessionKeyring()
		if got := keyring(j); got == plain || got == "" {
			t.Errorf("pid namespace %v: session keyring %s, the caller's is %s", pidns, got, plain)
		}
	}
}
