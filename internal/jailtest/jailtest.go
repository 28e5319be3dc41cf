// Package jailtest runs parts of a test binary in child processes with new
// namespaces, the way the jail's helper runs: the test binary re-executes
// itself with an environment marker naming a role, and TestMain (through
// Main) dispatches to that role before any test runs.
//
// It is used only by tests.
package jailtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// RoleEnv is the environment variable naming the role of a re-executed
// test binary.
const RoleEnv = "MINIJAIL_JAILTEST_ROLE"

// NobodyID is the uid and gid of the unprivileged caller tests create.
const NobodyID = 65534

var (
	copyOnce sync.Once
	copyDir  string
	copyPath string
	copyErr  error
)

// Main runs the role named by RoleEnv (exiting with its status) or, when
// there is none, the tests.
func Main(m *testing.M, roles map[string]func() int) {
	if r := os.Getenv(RoleEnv); r != "" {
		if r == relayRole {
			os.Exit(relay())
		}
		f, ok := roles[r]
		if !ok {
			fmt.Fprintf(os.Stderr, "jailtest: unknown role %q\n", r)
			os.Exit(100)
		}
		os.Exit(f())
	}
	code := m.Run()
	if copyDir != "" {
		os.RemoveAll(copyDir)
	}
	os.Exit(code)
}

// Opts describes the child process of Run.
type Opts struct {
	Cloneflags   uintptr
	Unprivileged bool     // run as uid/gid NobodyID, mapped to 0 in a new user namespace when Cloneflags has CLONE_NEWUSER
	Env          []string // extra environment
	ExtraFiles   []*os.File
	Dir          string
	// InnerID is the uid and gid the unprivileged caller becomes inside
	// its user namespace (default 0).
	InnerID int
}

const (
	relayRole     = "jailtest-relay"
	relayRoleEnv  = "MINIJAIL_JAILTEST_RELAY_ROLE"
	relayFlagsEnv = "MINIJAIL_JAILTEST_RELAY_FLAGS"
	relayFilesEnv = "MINIJAIL_JAILTEST_RELAY_FILES"
	relayInnerEnv = "MINIJAIL_JAILTEST_RELAY_INNER"
)

// relay runs (as the unprivileged caller) the real child of an
// Unprivileged run: with the clone flags asked for and, with a user
// namespace, the caller's ids mapped to 0. It exits with the child's
// status (128+signal for a signal death).
func relay() int {
	flags, err := strconv.ParseUint(os.Getenv(relayFlagsEnv), 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		return 102
	}
	attr := &syscall.SysProcAttr{Cloneflags: uintptr(flags), Pdeathsig: syscall.SIGKILL}
	if flags&syscall.CLONE_NEWUSER != 0 {
		inner, _ := strconv.Atoi(os.Getenv(relayInnerEnv))
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: inner, HostID: os.Getuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: inner, HostID: os.Getgid(), Size: 1}}
	}
	cmd := exec.Command("/proc/self/exe", os.Args[1:]...)
	cmd.Env = append(os.Environ(), RoleEnv+"="+os.Getenv(relayRoleEnv))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{}
	n, _ := strconv.Atoi(os.Getenv(relayFilesEnv))
	for fd := 3; fd < 3+n; fd++ {
		cmd.ExtraFiles = append(cmd.ExtraFiles, os.NewFile(uintptr(fd), ""))
	}
	cmd.SysProcAttr = attr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
	fmt.Fprintln(os.Stderr, "relay: start:", err)
	return 103
}

// Result is what a child did.
type Result struct {
	Status int    // exit status, or 128+signal
	Output string // stdout and stderr, interleaved
}

// worldExecutable returns a copy of the test binary that any user can
// execute (the go tool's build directory is private to its owner).
func worldExecutable() (string, error) {
	copyOnce.Do(func() {
		self, err := os.Executable()
		if err != nil {
			copyErr = err
			return
		}
		copyDir, copyErr = os.MkdirTemp("", "jailtest")
		if copyErr != nil {
			return
		}
		if copyErr = os.Chmod(copyDir, 0o755); copyErr != nil {
			return
		}
		copyPath = filepath.Join(copyDir, "test.bin")
		copyErr = copyFile(self, copyPath)
	})
	return copyPath, copyErr
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Command builds the child for role without starting it.
func Command(t testing.TB, role string, o Opts) *exec.Cmd {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatalf("executable: %v", err)
	}
	attr := &syscall.SysProcAttr{Cloneflags: o.Cloneflags, Pdeathsig: syscall.SIGKILL}
	env := append(os.Environ(), RoleEnv+"="+role)
	if o.Unprivileged {
		if bin, err = worldExecutable(); err != nil {
			t.Fatalf("copy test binary: %v", err)
		}
		// The ids must change before the user namespace exists (inside
		// it, only 0 is mapped): a relay running as nobody starts the
		// real child with the namespaces.
		attr = &syscall.SysProcAttr{
			Credential: &syscall.Credential{Uid: NobodyID, Gid: NobodyID},
			Pdeathsig:  syscall.SIGKILL,
		}
		env = append(os.Environ(), RoleEnv+"="+relayRole, relayRoleEnv+"="+role,
			relayFlagsEnv+"="+strconv.FormatUint(uint64(o.Cloneflags), 10),
			relayFilesEnv+"="+strconv.Itoa(len(o.ExtraFiles)),
			relayInnerEnv+"="+strconv.Itoa(o.InnerID))
	}
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(env, o.Env...)
	cmd.SysProcAttr = attr
	cmd.ExtraFiles = o.ExtraFiles
	cmd.Dir = o.Dir
	return cmd
}

// Run runs role in a child and returns its status and output. Failure to
// start the child fails the test.
func Run(t testing.TB, role string, o Opts) Result {
	t.Helper()
	cmd := Command(t, role, o)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return Result{0, out.String()}
	case errors.As(err, &ee):
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return Result{128 + int(ws.Signal()), out.String()}
		}
		return Result{ws.ExitStatus(), out.String()}
	}
	t.Fatalf("start role %s: %v\n%s", role, err, out.String())
	return Result{}
}

// MountInfo is one line of /proc/PID/mountinfo.
type MountInfo struct {
	ID, Parent string
	Root       string // root of the mount within its filesystem
	MountPoint string
	Options    []string // per-mount options (ro, nosuid, ...)
	FSType     string
	Source     string
	SuperOpts  []string
}

// Has reports whether the per-mount options include o.
func (m MountInfo) Has(o string) bool {
	for _, x := range m.Options {
		if x == o {
			return true
		}
	}
	return false
}

// Super returns the value of a superblock option ("" if absent; "true"
// for a flag).
func (m MountInfo) Super(key string) string {
	for _, x := range m.SuperOpts {
		k, v, ok := strings.Cut(x, "=")
		if k == key {
			if !ok {
				return "true"
			}
			return v
		}
	}
	return ""
}

// unescape decodes the octal escapes (\ooo) of mountinfo fields.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	isOct := func(c byte) bool { return c >= '0' && c <= '7' }
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && isOct(s[i+1]) && isOct(s[i+2]) && isOct(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ParseMountInfo parses mountinfo text.
func ParseMountInfo(text string) ([]MountInfo, error) {
	var out []MountInfo
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			return nil, fmt.Errorf("mountinfo line without separator: %q", line)
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 6 || len(g) < 3 {
			return nil, fmt.Errorf("short mountinfo line: %q", line)
		}
		out = append(out, MountInfo{
			ID: f[0], Parent: f[1], Root: unescape(f[3]), MountPoint: unescape(f[4]),
			Options: strings.Split(f[5], ","), FSType: g[0], Source: unescape(g[1]),
			SuperOpts: strings.Split(g[2], ","),
		})
	}
	return out, nil
}

// ReadMountInfo reads and parses /proc/self/mountinfo.
func ReadMountInfo() ([]MountInfo, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	return ParseMountInfo(string(b))
}

// Find returns the top-most mount at mountpoint p.
func Find(mi []MountInfo, p string) (MountInfo, bool) {
	for i := len(mi) - 1; i >= 0; i-- {
		if mi[i].MountPoint == p {
			return mi[i], true
		}
	}
	return MountInfo{}, false
}

// HostMounts returns a canonical form of the caller's mount table, to
// compare before and after a child ran.
func HostMounts(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatalf("read mountinfo: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Reporter collects failures inside a child role.
type Reporter struct{ fails []string }

// Errorf records a failure.
func (r *Reporter) Errorf(format string, args ...any) {
	r.fails = append(r.fails, fmt.Sprintf(format, args...))
}

// Status prints the failures and returns the child's exit status: 0 when
// there were none, 4 otherwise.
func (r *Reporter) Status() int {
	for _, f := range r.fails {
		fmt.Println("FAIL:", f)
	}
	if len(r.fails) > 0 {
		return 4
	}
	fmt.Println("PROBES OK")
	return 0
}
