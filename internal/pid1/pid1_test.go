package pid1

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/minijail-go/minijail/internal/jailtest"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	jailtest.Main(m, map[string]func() int{"init": roleInit, "startfail": roleStartFail})
}

// roleInit is pid 1 of a new pid namespace running Run with the shell
// script in PID1_SCRIPT as the target. With PID1_PROC set it first mounts
// a proc for the new pid namespace (it needs a mount namespace).
func roleInit() int {
	if os.Getpid() != 1 {
		fmt.Println("init role is not pid 1")
		return 100
	}
	if os.Getenv("PID1_PROC") != "" {
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			fmt.Println("private /:", err)
			return 100
		}
		if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
			fmt.Println("mount proc:", err)
			return 100
		}
	}
	// The host pid of this init, as the host's /proc (if still mounted)
	// names it.
	hostPID, _ := os.Readlink("/proc/self")
	files := []uintptr{0, 1, 2}
	if _, err := os.Stat("/proc/self/fd/3"); err == nil {
		files = append(files, 3)
	}
	status, err := Run(func() (int, error) {
		return syscall.ForkExec("/bin/sh", []string{"sh", "-c", os.Getenv("PID1_SCRIPT")}, &syscall.ProcAttr{
			Env:   append(os.Environ(), "INIT_HOST_PID="+hostPID),
			Files: files,
		})
	})
	if err != nil {
		fmt.Println("Run:", err)
	}
	return status
}

// runInit runs script as the target of an init in new pid and mount
// namespaces and returns the init's exit status.
func runInit(t *testing.T, script string) jailtest.Result {
	t.Helper()
	return jailtest.Run(t, "init", jailtest.Opts{
		Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS,
		Env:        []string{"PID1_SCRIPT=" + script, "PID1_PROC=1"},
	})
}

func TestStatus(t *testing.T) {
	tests := []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 7", 7},
		{"exit 255", 255},
		{"kill -SYS $$", 253},
		{"kill -TERM $$", 128 + 15},
		{"kill -KILL $$", 128 + 9},
		{"kill -SEGV $$", 128 + 11},
		// The target is a child of the init, pid 1 of the new namespace.
		// (Its own pid is not 2: the Go runtime's threads of the init
		// take the first pids of the namespace.)
		{`[ $PPID = 1 ] && [ $$ != 1 ] && [ "$(cat /proc/1/comm)" = pid1.test ]`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.script, func(t *testing.T) {
			res := runInit(t, tc.script)
			if res.Status != tc.want {
				t.Errorf("status %d, want %d\n%s", res.Status, tc.want, res.Output)
			}
		})
	}
}

func TestExitStatus(t *testing.T) {
	// Wait statuses as the kernel encodes them.
	tests := []struct {
		ws   unix.WaitStatus
		want int
	}{
		{0, 0},
		{3 << 8, 3},
		{255 << 8, 255},
		{unix.WaitStatus(unix.SIGSYS), 253},
		{unix.WaitStatus(unix.SIGSYS) | 0x80, 253}, // core dumped
		{unix.WaitStatus(unix.SIGTERM), 143},
		{unix.WaitStatus(unix.SIGKILL), 137},
		{0x137f, StatusInitFailed}, // stopped: not a final status
	}
	for _, tc := range tests {
		if got := ExitStatus(tc.ws); got != tc.want {
			t.Errorf("ExitStatus(%#x) = %d, want %d", uint32(tc.ws), got, tc.want)
		}
	}
}

// TestReapsOrphans: the target leaves orphans behind (their parent exits
// at once) and waits until each is gone from /proc. An init that does not
// reap leaves them as zombies, and the target gives up with status 99.
func TestReapsOrphans(t *testing.T) {
	script := `
pids=$(sh -c 'for i in 1 2 3 4 5 6 7 8; do true </dev/null >/dev/null 2>&1 & echo $!; done')
[ -n "$pids" ] || exit 98
for p in $pids; do
	[ "$p" -gt 2 ] || exit 97
	i=0
	while [ -e /proc/$p ]; do
		i=$((i+1))
		[ $i -gt 6000 ] && { echo "orphan $p not reaped: $(cat /proc/$p/stat)"; exit 99; }
		sleep 0.01
	done
done
exit 5`
	res := runInit(t, script)
	if res.Status != 5 {
		t.Fatalf("status %d, want 5\n%s", res.Status, res.Output)
	}
}

// startInit starts an init whose target runs script, where READY stands
// for announcing "ready" on fd 3; it returns once the target is ready.
func startInit(t *testing.T, rest string, o jailtest.Opts) *exec.Cmd {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	o.ExtraFiles = []*os.File{w}
	o.Env = append(o.Env, "PID1_SCRIPT="+strings.ReplaceAll(rest, "READY", "echo ready >&3; exec 3>&-"))
	cmd := jailtest.Command(t, "init", o)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("target did not get ready: %q %v", line, err)
	}
	return cmd
}

func waitStatus(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	if err == nil {
		return 0
	}
	if !errors.As(err, &ee) {
		t.Fatalf("wait: %v", err)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 1000 + int(ws.Signal()) // the init itself died of a signal
	}
	return ws.ExitStatus()
}

func TestForwardsSignals(t *testing.T) {
	tests := []struct {
		sig  syscall.Signal
		rest string
		want int
	}{
		{syscall.SIGTERM, "READY; exec sleep 1000", 143},
		{syscall.SIGHUP, "READY; exec sleep 1000", 129},
		{syscall.SIGINT, "READY; exec sleep 1000", 130},
		{syscall.SIGQUIT, "READY; exec sleep 1000", 131},
		{syscall.SIGUSR1, "READY; exec sleep 1000", 138},
		// The target handles the signal itself and chooses its status.
		{syscall.SIGUSR2, "trap 'exit 42' USR2; READY; while :; do sleep 0.01; done", 42},
	}
	for _, tc := range tests {
		t.Run(tc.sig.String(), func(t *testing.T) {
			cmd := startInit(t, tc.rest, jailtest.Opts{Cloneflags: syscall.CLONE_NEWPID})
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			if got := waitStatus(t, cmd); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
}

// TestNotDumpable: a target with the init's own uid and no capabilities
// (an unprivileged user's jail) cannot open the init's /proc entries.
func TestNotDumpable(t *testing.T) {
	script := `
readlink /proc/self/exe >/dev/null || exit 90
[ "$(id -u)" = 65534 ] || exit 91
if readlink /proc/$INIT_HOST_PID/exe; then exit 92; fi
if cat /proc/$INIT_HOST_PID/environ >/dev/null; then exit 93; fi
exit 0`
	res := jailtest.Run(t, "init", jailtest.Opts{
		Cloneflags:   syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID,
		Unprivileged: true,
		InnerID:      jailtest.NobodyID,
		Env:          []string{"PID1_SCRIPT=" + script},
	})
	if res.Status != 0 {
		t.Fatalf("status %d\n%s", res.Status, res.Output)
	}
}

// roleStartFail runs Run with failing start functions.
func roleStartFail() int {
	r := &jailtest.Reporter{}
	status, err := Run(func() (int, error) { return 0, errors.New("no such target") })
	if status != StatusInitFailed || err == nil || !strings.Contains(err.Error(), "no such target") {
		r.Errorf("start failure: %d %v", status, err)
	}
	status, err = Run(func() (int, error) { return -1, nil })
	if status != StatusInitFailed || err == nil {
		r.Errorf("bad pid: %d %v", status, err)
	}
	if d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); d != 0 || err != nil {
		r.Errorf("Run did not mark the process non-dumpable: %d %v", d, err)
	}
	return r.Status()
}

func TestStartFailure(t *testing.T) {
	res := jailtest.Run(t, "startfail", jailtest.Opts{})
	if res.Status != 0 {
		t.Fatalf("status %d\n%s", res.Status, res.Output)
	}
}

// TestKillInitKillsJail: when the init is killed, nothing it started
// survives (the kernel tears the pid namespace down).
func TestKillInitKillsJail(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// The shell reads its own host pid (the host's /proc is still
	// mounted) without forking, then becomes a long sleep.
	script := `read pid rest </proc/self/stat; echo $pid >&3; exec 3>&-; sh -c 'exec sleep 1000' & exec sleep 1000`
	cmd := jailtest.Command(t, "init", jailtest.Opts{Cloneflags: syscall.CLONE_NEWPID, ExtraFiles: []*os.File{w}, Env: []string{"PID1_SCRIPT=" + script}})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	pid := strings.TrimSpace(line)
	if pid == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no pid from target: %v", err)
	}
	if _, err := os.Stat("/proc/" + pid); err != nil {
		t.Fatalf("target %s not visible: %v", pid, err)
	}
	cmd.Process.Kill()
	if got := waitStatus(t, cmd); got != 1000+int(syscall.SIGKILL) {
		t.Errorf("init status %d", got)
	}
	if b, err := os.ReadFile("/proc/" + pid + "/cmdline"); err == nil && strings.Contains(string(b), "sleep") {
		t.Errorf("target %s survived its init: %q", pid, b)
	}
}
