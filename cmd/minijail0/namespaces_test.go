package main

// End-to-end tests of namespaces and the filesystem view (issue 4) through
// the real minijail0 binary. The target is the test binary again (see
// main_test.go), here in its "ns" role: it reports, from inside the jail,
// what the kernel says about its namespaces, ids, mounts, network
// interfaces and root, as "Key:\tvalue" lines.

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/internal/mount"
	"github.com/minijail-go/minijail/seccomp/arch"
)

// nsKinds are the namespaces the tests compare, as /proc/self/ns names them.
var nsKinds = []string{"mnt", "pid", "net", "ipc", "uts", "cgroup", "user"}

func init() {
	// The "ns" role of the target (TestMain handles the others).
	if filepath.Base(os.Args[0]) == targetName && len(os.Args) > 1 && os.Args[1] == "ns" {
		os.Exit(nsProbe(os.Args[2:]))
	}
}

// nsProbe runs each command of args in turn and prints what it finds:
//
//	ns             NS: KIND LINK for each of nsKinds
//	ids            Pid, PPid, Uid, Gid, UidMap, GidMap, Setgroups
//	host           Hostname
//	ifaces         Iface: NAME up|down (one line each)
//	mounts         Mount: POINT OPTS FSTYPE SUPEROPTS (one line each)
//	ls:DIR         Ls: DIR NAME,NAME,... (sorted)
//	write:FILE     Write: FILE ok|errno name
//	mode:PATH      Mode: PATH octal permission bits (with sticky)
//	readlink:PATH  Readlink: PATH target|errno name
//	escape         chdir("..") 64 times, then Escape: CWD NAME,NAME,...
//	prop:POINT     Prop: POINT optional fields of the top mount at POINT
//	               (shared:N, master:N, unbindable; "private" if none)
//	mkshared       make every mount private, then shared (a new peer group)
//	exec           execute the remaining arguments
//	chroot-escape:DIR
//	               the classic escape of a chroot (mkdir DIR, chroot into
//	               it, chdir("..") 64 times, chroot(".")), then
//	               ChrootEscape: NAME,NAME,... of "/" (or the errno)
func nsProbe(args []string) int {
	out := func(key, format string, a ...any) { fmt.Printf("%s:\t%s\n", key, fmt.Sprintf(format, a...)) }
	errName := func(err error) string {
		var en syscall.Errno
		if errors.As(err, &en) {
			return unix.ErrnoName(en)
		}
		return err.Error()
	}
	list := func(dir string) (string, error) {
		es, err := os.ReadDir(dir)
		if err != nil {
			return "", err
		}
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		return strings.Join(names, ","), nil
	}
	mapLines := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			return "error " + errName(err)
		}
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			lines = append(lines, strings.Join(strings.Fields(l), " "))
		}
		return strings.Join(lines, ";")
	}
	for i, a := range args {
		cmd, arg, _ := strings.Cut(a, ":")
		switch cmd {
		case "prop":
			b, err := os.ReadFile("/proc/self/mountinfo")
			if err != nil {
				out("Prop", "%s error %s", arg, errName(err))
				break
			}
			prop := "<none>"
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				f := strings.Fields(l)
				sep := slices.Index(f, "-")
				if sep >= 6 && f[4] == arg {
					prop = "private"
					if sep > 6 {
						prop = strings.Join(f[6:sep], ",")
					}
				}
			}
			out("Prop", "%s %s", arg, prop)
		case "mkshared":
			if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
				fmt.Fprintln(os.Stderr, "make-rprivate /:", err)
				return 100
			}
			if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SHARED, ""); err != nil {
				fmt.Fprintln(os.Stderr, "make-rshared /:", err)
				return 100
			}
		case "exec":
			os.Stdout.Sync()
			err := syscall.Exec(args[i+1], args[i+1:], os.Environ())
			fmt.Fprintln(os.Stderr, "exec:", err)
			return 100
		case "ns":
			for _, k := range nsKinds {
				l, err := os.Readlink("/proc/self/ns/" + k)
				if err != nil {
					l = "error " + errName(err)
				}
				out("NS", "%s %s", k, l)
			}
		case "ids":
			out("Pid", "%d", os.Getpid())
			out("PPid", "%d", os.Getppid())
			out("Uid", "%d", os.Getuid())
			out("Gid", "%d", os.Getgid())
			out("UidMap", "%s", mapLines("/proc/self/uid_map"))
			out("GidMap", "%s", mapLines("/proc/self/gid_map"))
			out("Setgroups", "%s", mapLines("/proc/self/setgroups"))
		case "host":
			var u unix.Utsname
			if err := unix.Uname(&u); err != nil {
				out("Hostname", "error %s", errName(err))
			} else {
				out("Hostname", "%s", unix.ByteSliceToString(u.Nodename[:]))
			}
		case "ifaces":
			ifs, err := net.Interfaces()
			if err != nil {
				out("Iface", "error %v", err)
			}
			for _, i := range ifs {
				state := "down"
				if i.Flags&net.FlagUp != 0 {
					state = "up"
				}
				out("Iface", "%s %s", i.Name, state)
			}
		case "mounts":
			b, err := os.ReadFile("/proc/self/mountinfo")
			if err != nil {
				out("Mount", "error %s", errName(err))
			}
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				f := strings.Fields(l)
				sep := slices.Index(f, "-")
				if len(f) < 6 || sep < 0 || len(f) < sep+4 {
					out("Mount", "unparsed %q", l)
					continue
				}
				out("Mount", "%s %s %s %s", f[4], f[5], f[sep+1], f[sep+3])
			}
		case "ls":
			names, err := list(arg)
			if err != nil {
				names = "error " + errName(err)
			}
			out("Ls", "%s %s", arg, names)
		case "write":
			res := "ok"
			if err := os.WriteFile(arg, []byte("written from the jail\n"), 0o644); err != nil {
				res = errName(err)
			}
			out("Write", "%s %s", arg, res)
		case "mode":
			var st unix.Stat_t
			if err := unix.Stat(arg, &st); err != nil {
				out("Mode", "%s error %s", arg, errName(err))
			} else {
				out("Mode", "%s %o", arg, st.Mode&0o7777)
			}
		case "readlink":
			l, err := os.Readlink(arg)
			if err != nil {
				l = "error " + errName(err)
			}
			out("Readlink", "%s %s", arg, l)
		case "escape":
			for range 64 {
				if err := os.Chdir(".."); err != nil {
					out("Escape", "error %s", errName(err))
					break
				}
			}
			cwd, err := os.Getwd()
			if err != nil {
				cwd = "error-" + errName(err)
			}
			names, err := list(".")
			if err != nil {
				names = "error " + errName(err)
			}
			out("Escape", "%s %s", cwd, names)
		case "chroot-escape":
			err := os.Mkdir(arg, 0o755)
			if err == nil {
				err = unix.Chroot(arg)
			}
			for i := 0; err == nil && i < 64; i++ {
				err = unix.Chdir("..")
			}
			if err == nil {
				err = unix.Chroot(".")
			}
			if err != nil {
				out("ChrootEscape", "error %s", errName(err))
				break
			}
			names, err := list("/")
			if err != nil {
				names = "error " + errName(err)
			}
			out("ChrootEscape", "%s", names)
		default:
			fmt.Fprintf(os.Stderr, "target ns: unknown command %q\n", a)
			return 100
		}
	}
	return 0
}

// probe runs the target's ns role with the given commands under opts and
// checks that it succeeded.
func probe(t *testing.T, setup func(*exec.Cmd), opts []string, cmds ...string) result {
	t.Helper()
	bin := target
	if slices.ContainsFunc(opts, func(o string) bool { return strings.HasPrefix(o, "-t") || strings.HasPrefix(o, "--profile") }) {
		bin = targetOutsideTmp(t)
	}
	args := append(append(append([]string{}, opts...), "--", bin, "ns"), cmds...)
	r := mjWith(t, setup, args...)
	if r.status != 0 {
		t.Fatalf("minijail0 %q: status %d, stderr %q, stdout %q", args, r.status, r.stderr, r.stdout)
	}
	return r
}

// targetOutsideTmp returns a copy of the target outside /tmp, where the
// binaries are but -t mounts a tmpfs.
func targetOutsideTmp(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("/var/tmp", "mj0-ns")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(d, targetName)
	if err := copyFile(p, target); err != nil {
		t.Fatal(err)
	}
	return p
}

// asNobody runs minijail0 as uid and gid 65534 with no supplementary
// groups.
func asNobody(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}}
}

// hostNS returns this process's namespace links.
func hostNS(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, k := range nsKinds {
		l, err := os.Readlink("/proc/self/ns/" + k)
		if err != nil {
			t.Fatal(err)
		}
		m[k] = l
	}
	return m
}

// jailNS parses the NS lines of a probe.
func jailNS(r result) map[string]string {
	m := map[string]string{}
	for _, v := range r.fields("NS") {
		k, l, _ := strings.Cut(v, " ")
		m[k] = l
	}
	return m
}

// mountEntry is one Mount line of a probe.
type mountEntry struct{ point, opts, fstype, superOpts string }

func (m mountEntry) has(opt string) bool { return slices.Contains(strings.Split(m.opts, ","), opt) }

func (m mountEntry) hasSuper(opt string) bool {
	return slices.Contains(strings.Split(m.superOpts, ","), opt)
}

// mountsAt returns the mounts a probe saw at point, bottom first.
func mountsAt(r result, point string) []mountEntry {
	var ms []mountEntry
	for _, v := range r.fields("Mount") {
		f := strings.Fields(v)
		if len(f) == 4 && f[0] == point {
			ms = append(ms, mountEntry{f[0], f[1], f[2], f[3]})
		}
	}
	return ms
}

// topMount returns the mount visible at point.
func topMount(t *testing.T, r result, point string) mountEntry {
	t.Helper()
	ms := mountsAt(r, point)
	if len(ms) == 0 {
		t.Fatalf("no mount at %s in the jail:\n%s", point, strings.Join(r.fields("Mount"), "\n"))
	}
	return ms[len(ms)-1]
}

// keyed returns the value of the "Key: PATH value" line for path.
func keyed(r result, key, path string) string {
	for _, v := range r.fields(key) {
		if rest, ok := strings.CutPrefix(v, path+" "); ok {
			return rest
		}
	}
	return "<missing " + key + " " + path + ">"
}

// hostMountinfo returns the host's mount table (this process's), sorted.
func hostMountinfo(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	sort.Strings(lines)
	return lines
}

// checkHostMounts fails the test if the host's mount table changed since
// before.
func checkHostMounts(t *testing.T, what string, before []string) {
	t.Helper()
	after := hostMountinfo(t)
	if !slices.Equal(before, after) {
		var added, gone []string
		for _, l := range after {
			if !slices.Contains(before, l) {
				added = append(added, l)
			}
		}
		for _, l := range before {
			if !slices.Contains(after, l) {
				gone = append(gone, l)
			}
		}
		t.Errorf("%s changed the host's mounts: added %q, removed %q", what, added, gone)
	}
}

// sharedDir makes a directory that uid 65534 can use (t.TempDir's parent is
// private to root), removed after the test.
func sharedDir(t *testing.T, owner int) string {
	t.Helper()
	d, err := os.MkdirTemp("", "mj0-ns")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(d, owner, owner); err != nil {
		t.Fatal(err)
	}
	return d
}

// targetBinds returns the bind mounts a new root needs to run the target:
// the directory of both binaries, and the libraries if the test binary is
// dynamically linked (a build without CGO_ENABLED=0).
func targetBinds(t *testing.T) []string {
	t.Helper()
	binds := []string{"-b", binDir + "," + binDir}
	f, err := elf.Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			for _, d := range []string{"/lib", "/lib64", "/usr"} {
				if _, err := os.Stat(d); err == nil {
					binds = append(binds, "-b", d+","+d)
				}
			}
			break
		}
	}
	return binds
}

func TestNSNamespaces(t *testing.T) {
	host := hostNS(t)
	tests := []struct {
		opts []string
		new  []string // the namespaces that must differ from the host's
	}{
		{nil, nil},
		{[]string{"-v"}, []string{"mnt"}},
		{[]string{"-p"}, []string{"mnt", "pid"}},
		{[]string{"-I"}, []string{"mnt", "pid"}},
		{[]string{"-e"}, []string{"net"}},
		{[]string{"-l"}, []string{"ipc"}},
		{[]string{"--uts"}, []string{"uts"}},
		{[]string{"--uts=mj0-host"}, []string{"uts"}},
		{[]string{"-N"}, []string{"cgroup"}},
		{[]string{"-U", "-m", "-M"}, []string{"user", "pid", "mnt"}},
		{[]string{"-d"}, []string{"mnt"}},
		{[]string{"-t"}, []string{"mnt"}},
		{[]string{"-p", "-v", "-r", "-e", "-l", "--uts", "-N"}, []string{"mnt", "pid", "net", "ipc", "uts", "cgroup"}},
		{[]string{"-U", "-m", "-M", "-e", "-l", "--uts", "-N"}, nsKinds},
	}
	for _, tc := range tests {
		got := jailNS(probe(t, nil, tc.opts, "ns"))
		for _, k := range nsKinds {
			if strings.HasPrefix(got[k], "error") || got[k] == "" {
				t.Errorf("%q: %s namespace %q", tc.opts, k, got[k])
				continue
			}
			if want := slices.Contains(tc.new, k); (got[k] != host[k]) != want {
				t.Errorf("%q: %s namespace %s, host's %s: want new=%v", tc.opts, k, got[k], host[k], want)
			}
		}
	}
	// Namespaces run as uid 65534 (with the user namespace that needs).
	got := jailNS(probe(t, asNobody, []string{"-U", "-m", "-M", "-p", "-v", "-r", "-e", "-l", "--uts", "-N"}, "ns"))
	for _, k := range nsKinds {
		if got[k] == host[k] || strings.HasPrefix(got[k], "error") {
			t.Errorf("uid 65534 -U ... -N: %s namespace %s, host's %s: want a new one", k, got[k], host[k])
		}
	}
}

// TestNSJoin checks -V FILE and -eFILE: the jail joins the namespaces of a
// running jail.
func TestNSJoin(t *testing.T) {
	marker := fmt.Sprintf("mj0-ns-join-%d-%d", os.Getpid(), time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, minijail, "-v", "-e", "--", target, "sleep", marker)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// SIGTERM goes on to the target, which dies of it; minijail0 then exits.
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	var pids []int
	waitFor(t, "the first jail to start", func() bool { pids = procsWith(marker); return len(pids) == 1 })
	first := map[string]string{}
	for _, k := range []string{"mnt", "net"} {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pids[0], k))
		if err != nil {
			t.Fatal(err)
		}
		first[k] = l
	}
	host := hostNS(t)
	if first["mnt"] == host["mnt"] || first["net"] == host["net"] {
		t.Fatalf("the first jail shares the host's namespaces: %v", first)
	}
	got := jailNS(probe(t, nil, []string{"-V", fmt.Sprintf("/proc/%d/ns/mnt", pids[0]), fmt.Sprintf("-e/proc/%d/ns/net", pids[0])}, "ns"))
	for _, k := range nsKinds {
		want := host[k]
		if f, ok := first[k]; ok {
			want = f
		}
		if got[k] != want {
			t.Errorf("-V and -e into a jail: %s namespace %s, want %s", k, got[k], want)
		}
	}
}

func TestNSPids(t *testing.T) {
	tests := []struct {
		setup     func(*exec.Cmd)
		opts      []string
		pid, ppid string
	}{
		{nil, []string{"-p"}, "2", "1"},
		{nil, []string{"-p", "-u", "nobody", "-g", "nogroup"}, "2", "1"},
		{nil, []string{"-U", "-m", "-M"}, "2", "1"},
		{asNobody, []string{"-U", "-m", "-M", "-p"}, "2", "1"},
		{nil, []string{"-I"}, "1", "0"},
		{nil, []string{"-p", "-I"}, "1", "0"},
	}
	for _, tc := range tests {
		r := probe(t, tc.setup, tc.opts, "ids")
		if r.field("Pid") != tc.pid || r.field("PPid") != tc.ppid {
			t.Errorf("%q: pid %s, parent %s; want %s and %s", tc.opts, r.field("Pid"), r.field("PPid"), tc.pid, tc.ppid)
		}
	}
	// The init is not dumpable: an unprivileged target cannot reach the
	// minijail binary through /proc/1/exe.
	r := probe(t, nil, []string{"-p", "-u", "nobody", "-g", "nogroup"}, "readlink:/proc/1/exe")
	if got := keyed(r, "Readlink", "/proc/1/exe"); got != "error EACCES" {
		t.Errorf("-p -u nobody: /proc/1/exe reads %q, want EACCES", got)
	}
}

func TestNSPidStatus(t *testing.T) {
	nr, ok := arch.Host().Syscall("getpid")
	if !ok {
		t.Fatal("no getpid in the host table")
	}
	kill := bpfFilter(t, int(nr))
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"-p", target, "exit", "0"}, 0},
		{[]string{"-p", target, "exit", "3"}, 3},
		{[]string{"-p", target, "exit", "255"}, 255},
		{[]string{"-p", "-u", "nobody", "-g", "nogroup", target, "exit", "7"}, 7},
		{[]string{"-p", "/bin/sh", "-c", "kill -TERM $$"}, 128 + 15},
		{[]string{"-p", "/bin/sh", "-c", "kill -KILL $$"}, 128 + 9},
		{[]string{"-p", "/bin/sh", "-c", "kill -INT $$"}, 128 + 2},
		{[]string{"-p", "/bin/sh", "-c", "kill -SYS $$"}, 253},
		{[]string{"-p", "--seccomp-bpf-binary", kill, target, "getpid"}, 253},
		{[]string{"-p", "-n", "--seccomp-bpf-binary", kill, target, "getpid"}, 253},
		{[]string{"-U", "-m", "-M", "/bin/sh", "-c", "kill -TERM $$"}, 128 + 15},
		{[]string{"-p", "/nonexistent/program"}, 127},
		{[]string{"-I", target, "exit", "5"}, 5},
	}
	for _, tc := range tests {
		if r := mj(t, tc.args...); r.status != tc.want {
			t.Errorf("%q: status %d, want %d (stderr %q)", tc.args, r.status, tc.want, r.stderr)
		}
	}
}

func TestNSNetAndUTS(t *testing.T) {
	hostName, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]string{{"-e"}, {"-p", "-e"}, {"-e", "-u", "nobody", "-g", "nogroup"}} {
		r := probe(t, nil, opts, "ifaces")
		if got := strings.Join(r.fields("Iface"), ";"); got != "lo up" {
			t.Errorf("%q: interfaces %q, want only lo, up", opts, got)
		}
	}
	r := probe(t, asNobody, []string{"-U", "-m", "-M", "-e"}, "ifaces")
	if got := strings.Join(r.fields("Iface"), ";"); got != "lo up" {
		t.Errorf("uid 65534 -U -m -M -e: interfaces %q, want only lo, up", got)
	}
	tests := []struct {
		setup func(*exec.Cmd)
		opts  []string
		want  string
	}{
		{nil, []string{"--uts=mj0-jail"}, "mj0-jail"},
		{nil, []string{"--uts=mj0-jail", "-p", "-u", "nobody", "-g", "nogroup"}, "mj0-jail"},
		{asNobody, []string{"-U", "-m", "-M", "--uts=mj0-unpriv"}, "mj0-unpriv"},
		{nil, []string{"--uts"}, hostName},
	}
	for _, tc := range tests {
		r := probe(t, tc.setup, tc.opts, "host")
		if got := r.field("Hostname"); got != tc.want {
			t.Errorf("%q: hostname %q, want %q", tc.opts, got, tc.want)
		}
	}
	if h, _ := os.Hostname(); h != hostName {
		t.Errorf("the host's name changed from %q to %q", hostName, h)
	}
}

func TestNSMounts(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	srcRO, dstRO, srcRW, dstRW := mk("src-ro"), mk("dst-ro"), mk("src-rw"), mk("dst-rw")
	srcDef, dstK, dstKDef := mk("src-def"), mk("k"), mk("k-default")
	before := hostMountinfo(t)
	r := probe(t, nil, []string{"-v",
		"-b", srcRO + "," + dstRO,
		"-b", srcDef + ",," + "0",
		"-b", srcRW + "," + dstRW + ",1",
		"-k", "none," + dstK + ",tmpfs,MS_NODEV|MS_NOSUID,size=1M",
		"-k", "none," + dstKDef + ",tmpfs",
	},
		"mounts", "write:"+dstRO+"/f", "write:"+srcDef+"/f", "write:"+dstRW+"/f", "write:"+dstK+"/f")
	checkHostMounts(t, "-v -b -k", before)

	if m := topMount(t, r, dstRO); !m.has("ro") {
		t.Errorf("-b %s,%s: mounted %q, want read-only", srcRO, dstRO, m.opts)
	}
	if got := keyed(r, "Write", dstRO+"/f"); got != "EROFS" {
		t.Errorf("writing into the read-only bind: %s, want EROFS", got)
	}
	if m := topMount(t, r, srcDef); !m.has("ro") {
		t.Errorf("-b %s,,0: mounted %q, want read-only at the source's path", srcDef, m.opts)
	}
	if got := keyed(r, "Write", srcDef+"/f"); got != "EROFS" {
		t.Errorf("writing into the read-only bind onto itself: %s, want EROFS", got)
	}
	if m := topMount(t, r, dstRW); !m.has("rw") {
		t.Errorf("-b %s,%s,1: mounted %q, want writable", srcRW, dstRW, m.opts)
	}
	if got := keyed(r, "Write", dstRW+"/f"); got != "ok" {
		t.Errorf("writing into the writable bind: %s", got)
	}
	if _, err := os.Stat(filepath.Join(srcRW, "f")); err != nil {
		t.Errorf("the file written through the writable bind is not in its source: %v", err)
	}
	for _, p := range []string{dstRO, dstRW} {
		if _, err := os.Stat(filepath.Join(p, "f")); err == nil {
			t.Errorf("%s/f exists on the host: the bind was not in the jail's namespace", p)
		}
	}
	m := topMount(t, r, dstK)
	if m.fstype != "tmpfs" || !m.has("nodev") || !m.has("nosuid") || m.has("noexec") || !m.has("rw") || !m.hasSuper("size=1024k") {
		t.Errorf("-k none,%s,tmpfs,MS_NODEV|MS_NOSUID,size=1M: mounted %+v", dstK, m)
	}
	if got := keyed(r, "Write", dstK+"/f"); got != "ok" {
		t.Errorf("writing into the -k tmpfs: %s", got)
	}
	m = topMount(t, r, dstKDef)
	if m.fstype != "tmpfs" || !m.has("nodev") || !m.has("nosuid") || !m.has("noexec") || !m.hasSuper("size=10240k") || !m.hasSuper("mode=755") {
		t.Errorf("-k none,%s,tmpfs: mounted %+v, want nodev,noexec,nosuid, size=10240k, mode=755", dstKDef, m)
	}

	// -t, -t8M: tmpfs /tmp, mode 1777, nodev/noexec/nosuid.
	for _, tc := range []struct{ opt, size string }{{"-t", "size=65536k"}, {"-t8M", "size=8192k"}, {"-t1G", "size=1048576k"}} {
		before := hostMountinfo(t)
		r := probe(t, nil, []string{tc.opt}, "mounts", "mode:/tmp", "write:/tmp/f")
		checkHostMounts(t, tc.opt, before)
		m := topMount(t, r, "/tmp")
		if m.fstype != "tmpfs" || !m.has("nodev") || !m.has("nosuid") || !m.has("noexec") || !m.hasSuper(tc.size) {
			t.Errorf("%s: /tmp mounted %+v, want tmpfs nodev,noexec,nosuid %s", tc.opt, m, tc.size)
		}
		if got := keyed(r, "Mode", "/tmp"); got != "1777" {
			t.Errorf("%s: /tmp has mode %s, want 1777", tc.opt, got)
		}
		if got := keyed(r, "Write", "/tmp/f"); got != "ok" {
			t.Errorf("%s: writing to /tmp: %s", tc.opt, got)
		}
	}

	// -r (and -p, which implies it): one /proc, read-only, the old one
	// detached. In a user namespace the kernel locks the mounts the new
	// mount namespace inherited together, so that the old /proc stays
	// under the new one (as upstream's): only the top one is checked there.
	for _, opts := range [][]string{{"-v", "-r"}, {"-p"}, {"-U", "-m", "-M"}} {
		before := hostMountinfo(t)
		r := probe(t, nil, opts, "mounts", "write:/proc/sys/kernel/hostname")
		checkHostMounts(t, strings.Join(opts, " "), before)
		ms := mountsAt(r, "/proc")
		if len(ms) != 1 && opts[0] != "-U" {
			t.Errorf("%q: mounts at /proc %+v, want exactly one", opts, ms)
			continue
		}
		if m := topMount(t, r, "/proc"); m.fstype != "proc" || !m.has("ro") || !m.has("nosuid") || !m.has("nodev") || !m.has("noexec") {
			t.Errorf("%q: /proc mounted %+v, want proc ro,nosuid,nodev,noexec", opts, m)
		}
		if got := keyed(r, "Write", "/proc/sys/kernel/hostname"); got != "EROFS" {
			t.Errorf("%q: writing /proc/sys/kernel/hostname: %s, want EROFS", opts, got)
		}
	}

	// -d: exactly the listed nodes; urandom read-only; a -b of another
	// /dev node still works.
	tests := []struct {
		opts  []string
		extra []string
	}{
		{[]string{"-d"}, nil},
		{[]string{"-v", "-d", "-b", "/dev/random,/dev/random"}, []string{"random"}},
	}
	for _, tc := range tests {
		before := hostMountinfo(t)
		r := probe(t, nil, tc.opts, "mounts", "ls:/dev", "write:/dev/null", "write:/dev/mj0-new")
		checkHostMounts(t, strings.Join(tc.opts, " "), before)
		want := append(mount.DevEntries(), tc.extra...)
		sort.Strings(want)
		if got := keyed(r, "Ls", "/dev"); got != strings.Join(want, ",") {
			t.Errorf("%q: /dev holds %s, want %s", tc.opts, got, strings.Join(want, ","))
		}
		if m := topMount(t, r, "/dev"); m.fstype != "tmpfs" || !m.has("nosuid") || !m.has("noexec") {
			t.Errorf("%q: /dev mounted %+v", tc.opts, m)
		}
		if m := topMount(t, r, "/dev/urandom"); !m.has("ro") {
			t.Errorf("%q: /dev/urandom mounted %q, want read-only", tc.opts, m.opts)
		}
		if m := topMount(t, r, "/dev/null"); !m.has("rw") {
			t.Errorf("%q: /dev/null mounted %q, want writable", tc.opts, m.opts)
		}
		if got := keyed(r, "Write", "/dev/null"); got != "ok" {
			t.Errorf("%q: writing /dev/null: %s", tc.opts, got)
		}
		if _, err := os.Stat("/dev/mj0-new"); err == nil {
			os.Remove("/dev/mj0-new")
			t.Errorf("%q: a file created in the jail's /dev appeared in the host's", tc.opts)
		}
		if m := topMount(t, r, "/dev/pts"); m.fstype != "devpts" {
			t.Errorf("%q: /dev/pts mounted %+v, want a devpts", tc.opts, m)
		}
	}
}

// newRoot makes a directory for -C or -P holding a marker file, owned by
// owner.
func newRoot(t *testing.T, owner int) string {
	t.Helper()
	root := sharedDir(t, owner)
	if err := os.WriteFile(filepath.Join(root, "mj0-inside-root"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// rootEntries lists root as the host sees it, leaving out names the jail
// created later than the listing it is compared with.
func rootEntries(t *testing.T, root string, except ...string) string {
	t.Helper()
	es, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if !slices.Contains(except, e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func TestNSRootEscape(t *testing.T) {
	binds := targetBinds(t)
	tests := []struct {
		opts    []string
		pivot   bool // the host's root is not in the namespace at all
		pidProc bool // /proc/1 is the jail's init
	}{
		{[]string{"-v", "-C", "ROOT"}, false, false},
		{[]string{"-p", "-C", "ROOT"}, false, true},
		{[]string{"-P", "ROOT"}, true, false},
		{[]string{"-p", "-P", "ROOT"}, true, true},
		{[]string{"-U", "-m", "-M", "-P", "ROOT"}, true, true},
	}
	for _, tc := range tests {
		root := newRoot(t, 0)
		var opts []string
		for _, o := range tc.opts {
			opts = append(opts, strings.ReplaceAll(o, "ROOT", root))
		}
		opts = append(opts, binds...)
		cmds := []string{"escape"}
		if tc.pidProc {
			cmds = append(cmds, "ls:/proc/1/root", "readlink:/proc/1/root")
		}
		if tc.pivot {
			cmds = append(cmds, "chroot-escape:/mj0-esc")
		}
		before := hostMountinfo(t)
		r := probe(t, nil, opts, cmds...)
		checkHostMounts(t, strings.Join(tc.opts, " "), before)
		want := rootEntries(t, root, "mj0-esc") // with the directories the binds created
		if !strings.Contains(want, "mj0-inside-root") {
			t.Fatalf("the root lost its marker: %s", want)
		}
		if got := r.field("Escape"); got != "/ "+want {
			t.Errorf("%q: after 64 times cd ..: %q, want / and the new root's %s", tc.opts, got, want)
		}
		if tc.pivot {
			want := rootEntries(t, root)
			if got := r.field("ChrootEscape"); got != want {
				t.Errorf("%q: the chroot escape reached %q, want the new root's %s", tc.opts, got, want)
			}
		}
		if tc.pidProc {
			if got := keyed(r, "Ls", "/proc/1/root"); got != want {
				t.Errorf("%q: /proc/1/root holds %s, want the new root's %s", tc.opts, got, want)
			}
			if got := keyed(r, "Readlink", "/proc/1/root"); got != "/" {
				t.Errorf("%q: /proc/1/root links to %s, want /", tc.opts, got)
			}
		}
	}
}

func TestNSUserMaps(t *testing.T) {
	tests := []struct {
		setup                  func(*exec.Cmd)
		opts                   []string
		uid, gid               string // inside
		uidMap, gidMap, setgrp string
	}{
		{nil, []string{"-U", "-m", "-M"}, "0", "0", "0 0 1", "0 0 1", "allow"},
		{nil, []string{"-U", "-m0 1000 1", "-M0 1000 1"}, "0", "0", "0 1000 1", "0 1000 1", "allow"},
		{nil, []string{"-U", "-m0 1000 10,10 2000 5", "-M0 1000 1"}, "0", "0", "0 1000 10;10 2000 5", "0 1000 1", "allow"},
		{asNobody, []string{"-U", "-m", "-M"}, "0", "0", "0 65534 1", "0 65534 1", "deny"},
		{asNobody, []string{"-m", "-M"}, "0", "0", "0 65534 1", "0 65534 1", "deny"},
		{asNobody, []string{"-U", "-m0 65534 1", "-M0 65534 1"}, "0", "0", "0 65534 1", "0 65534 1", "deny"},
		// Bare maps map the -u/-g ids to the caller's.
		{asNobody, []string{"-U", "-m", "-M", "-u", "5", "-g", "6"}, "5", "6", "5 65534 1", "6 65534 1", "deny"},
	}
	for _, tc := range tests {
		r := mjWith(t, tc.setup, append(append([]string{}, tc.opts...), "--", target, "ns", "ids")...)
		if r.status != 0 {
			t.Errorf("%q: status %d, stderr %q", tc.opts, r.status, r.stderr)
			continue
		}
		for _, c := range []struct{ key, want string }{
			{"Uid", tc.uid}, {"Gid", tc.gid}, {"UidMap", tc.uidMap}, {"GidMap", tc.gidMap}, {"Setgroups", tc.setgrp},
		} {
			if got := r.field(c.key); got != c.want {
				t.Errorf("%q: %s %q, want %q", tc.opts, c.key, got, c.want)
			}
		}
	}
}

func TestNSUnprivileged(t *testing.T) {
	root := newRoot(t, 65534)
	line := []string{"-U", "-m", "-M", "-p", "-v", "-r", "-e", "-l", "--uts"}
	var libs []string
	for _, d := range []string{"/usr", "/lib", "/lib64", "/bin"} {
		if _, err := os.Stat(d); err == nil {
			libs = append(libs, "-b", d+","+d)
		}
	}
	before := hostMountinfo(t)
	// The bwrap-like line, running the system's shell.
	r := mjWith(t, asNobody, append(append(append([]string{}, line...), libs...), "-P", root, "--", "/bin/sh", "-c", "echo $$; id -u; cat /proc/self/uid_map")...)
	if r.status != 0 {
		t.Fatalf("uid 65534: %q: status %d, stderr %q", line, r.status, r.stderr)
	}
	if f := strings.Fields(r.stdout); !slices.Equal(f, []string{"2", "0", "0", "65534", "1"}) {
		t.Errorf("uid 65534: the shell printed %q, want pid 2, uid 0 and the map 0 65534 1", r.stdout)
	}
	// The same with the probe: what the jail looks like from inside.
	r = probe(t, asNobody, append(append(append([]string{}, line...), targetBinds(t)...), "-P", root), "ns", "ids", "mounts", "ifaces", "escape", "write:/mj0-w")
	checkHostMounts(t, "the unprivileged jail", before)
	host := hostNS(t)
	got := jailNS(r)
	for _, k := range nsKinds {
		if want := k != "cgroup"; (got[k] != host[k]) != want {
			t.Errorf("uid 65534: %s namespace %s, host's %s: want new=%v", k, got[k], host[k], want)
		}
	}
	if r.field("Pid") != "2" || r.field("Uid") != "0" || r.field("UidMap") != "0 65534 1" || r.field("Setgroups") != "deny" {
		t.Errorf("uid 65534: pid %s uid %s uid_map %q setgroups %s", r.field("Pid"), r.field("Uid"), r.field("UidMap"), r.field("Setgroups"))
	}
	if m := mountsAt(r, "/proc"); len(m) != 1 || !m[0].has("ro") {
		t.Errorf("uid 65534: /proc mounts %+v, want one, read-only", m)
	}
	if m := topMount(t, r, binDir); !m.has("ro") {
		t.Errorf("uid 65534: the bind of %s is %q, want read-only", binDir, m.opts)
	}
	if got := strings.Join(r.fields("Iface"), ";"); got != "lo up" {
		t.Errorf("uid 65534: interfaces %q", got)
	}
	if want := rootEntries(t, root, "mj0-w"); r.field("Escape") != "/ "+want {
		t.Errorf("uid 65534: after cd ..: %q, want / and %s", r.field("Escape"), want)
	}
	if got := keyed(r, "Write", "/mj0-w"); got != "ok" {
		t.Errorf("uid 65534: writing into its own root: %s", got)
	}
	if fi, err := os.Stat(filepath.Join(root, "mj0-w")); err != nil {
		t.Errorf("uid 65534: the file written in the jail's root: %v", err)
	} else if st := fi.Sys().(*syscall.Stat_t); st.Uid != 65534 {
		t.Errorf("uid 65534: the file written as uid 0 in the jail belongs to %d outside, want 65534", st.Uid)
	}

	// Failures name the cause; the target never runs.
	dir := sharedDir(t, 65534)
	tests := []struct {
		opts []string
		want []string
	}{
		{[]string{"-v"}, []string{"CAP_SYS_ADMIN", "-U"}},
		{[]string{"-p"}, []string{"CAP_SYS_ADMIN", "-U"}},
		{[]string{"-e"}, []string{"CAP_SYS_ADMIN", "-U"}},
		{[]string{"-U", "-m0 12345 1"}, []string{"12345"}},
		{[]string{"-U", "-m", "-M0 12345 1"}, []string{"12345"}},
		{[]string{"-U", "-m0 65534 1,1 12345 1"}, []string{"12345"}},
	}
	for i, tc := range tests {
		marker := filepath.Join(dir, fmt.Sprintf("ran%d", i))
		before := hostMountinfo(t)
		r := mjWith(t, asNobody, append(append([]string{}, tc.opts...), "--", target, "touch", marker)...)
		checkHostMounts(t, strings.Join(tc.opts, " "), before)
		if r.status != 1 {
			t.Errorf("uid 65534 %q: status %d, want 1 (stderr %q)", tc.opts, r.status, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("uid 65534 %q: stderr %q does not name %q", tc.opts, r.stderr, w)
			}
		}
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("uid 65534 %q: the target ran", tc.opts)
		}
	}

	// User namespaces limited to none (in a user namespace of this test's
	// own, whose limit does not reach the host's): the error names the
	// sysctl.
	marker := filepath.Join(dir, "ran-sysctl")
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", `echo 0 >/proc/sys/user/max_user_namespaces && exec "$@"`,
		"sh", minijail, "-U", "-m", "-M", "--", target, "touch", marker)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	st, werr := statusOf(err)
	if werr != nil {
		t.Fatal(werr)
	}
	if st != 1 || !strings.Contains(string(out), "max_user_namespaces") {
		t.Errorf("with user.max_user_namespaces=0: status %d, output %q; want 1 and the sysctl named", st, out)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("with user.max_user_namespaces=0: the target ran")
	}
}

// TestNSFailures checks that each failure names its cause, exits with the
// status of DESIGN 4, never runs the target and leaves the host's mounts as
// they were.
func TestNSFailures(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	okSrc, okDst, missing := mk("ok-src"), mk("ok-dst"), filepath.Join(dir, "missing")
	root := mk("root")
	tests := []struct {
		opts   []string
		status int
		want   string
	}{
		{[]string{"-v", "-b", missing + "," + okDst}, 251, missing},
		{[]string{"-v", "-b", okSrc + "," + okDst, "-b", missing + "," + okDst}, 251, missing}, // half way
		{[]string{"-v", "-k", "none," + okDst + ",mj0nosuchfs"}, 251, "mj0nosuchfs"},
		{[]string{"-v", "-b", okSrc + "," + okDst, "-k", "none," + okDst + ",mj0nosuchfs"}, 251, "mj0nosuchfs"},
		{[]string{"-v", "-k", "none," + okDst + ",tmpfs,MS_MJ0BOGUS"}, 1, "MS_MJ0BOGUS"},
		{[]string{"-v", "-b", okSrc + "," + okDst + ",2"}, 1, okSrc},
		{[]string{"-C", plain}, 251, plain},
		{[]string{"-v", "-b", okSrc + "," + okDst, "-C", plain}, 251, plain},
		{[]string{"-C", missing}, 251, missing},
		{[]string{"-P", missing}, 251, missing},
		{[]string{"-P", plain}, 251, plain},
		{[]string{"-p", "-b", okSrc + ",/x", "-b", missing + ",/y", "-P", root}, 251, missing},
		{[]string{"-V", missing}, 1, missing},
		{[]string{"-V", plain}, 1, plain},
		{[]string{"-e" + missing}, 1, missing},
		{[]string{"-t8Q"}, 1, "8Q"},
	}
	for i, tc := range tests {
		marker := filepath.Join(dir, fmt.Sprintf("ran%d", i))
		before := hostMountinfo(t)
		r := mj(t, append(append([]string{}, tc.opts...), "--", target, "touch", marker)...)
		checkHostMounts(t, strings.Join(tc.opts, " "), before)
		if r.status != tc.status {
			t.Errorf("%q: status %d, want %d (stderr %q)", tc.opts, r.status, tc.status, r.stderr)
		}
		if !strings.HasPrefix(r.stderr, "minijail0: ") || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: stderr %q, want a message naming %q", tc.opts, r.stderr, tc.want)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("%q: the target ran", tc.opts)
		}
	}
	// The failed jail left no trace in the root it was building.
	if _, err := os.Stat(filepath.Join(root, "y")); err == nil {
		t.Errorf("the failed bind created its destination %s/y", root)
	}
}

// procsWith returns the processes running the target with marker as its
// last argument (not minijail0 or a shell, whose arguments hold it too).
func procsWith(marker string) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		argv := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
		if err == nil && argv[0] == target && argv[len(argv)-1] == marker {
			pids = append(pids, pid)
		}
	}
	return pids
}

// ppidOf returns a process's parent, or 0.
func ppidOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(result{stdout: string(b)}.field("PPid"))
	return n
}

// jailInit returns the host pid of the init of the pid namespace holding
// the jailed processes pids: the minijail helper above them, or (-I) the
// topmost of them.
func jailInit(pids []int) int {
	top := 0
	for _, p := range pids {
		if !slices.Contains(pids, ppidOf(p)) {
			top = p
		}
	}
	parent := ppidOf(top)
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", parent)); err == nil && strings.HasPrefix(string(b), "minijail-helper\x00") {
		return parent
	}
	return top
}

// leakGuard bounds the wait for a jail to go after minijail0 did; it is
// not a timing assertion (the kernel tears a pid namespace down before its
// init can be reaped), only a shorter hang guard.
const leakGuard = 30 * time.Second

func TestNSKillMinijail(t *testing.T) {
	tests := []struct {
		opts   []string
		signal syscall.Signal
		status int // minijail0's
	}{
		{[]string{"-p"}, syscall.SIGKILL, 128 + 9},
		{[]string{"-p", "-u", "nobody", "-g", "nogroup"}, syscall.SIGKILL, 128 + 9},
		{[]string{"-I"}, syscall.SIGKILL, 128 + 9},
		{[]string{"-U", "-m", "-M"}, syscall.SIGKILL, 128 + 9},
		{[]string{"-p", "-e", "-v", "-r", "-l", "--uts"}, syscall.SIGKILL, 128 + 9},
		{[]string{"-p"}, syscall.SIGTERM, 128 + 15}, // forwarded: the target dies of it
		{[]string{"-p", "-u", "nobody", "-g", "nogroup"}, syscall.SIGTERM, 128 + 15},
		{[]string{"-p", "-U", "-m", "-M"}, syscall.SIGTERM, 128 + 15},
	}
	for i, tc := range tests {
		marker := fmt.Sprintf("mj0-ns-kill-%d-%d-%d", os.Getpid(), i, time.Now().UnixNano())
		// Two jailed processes: the target and a child of it.
		script := fmt.Sprintf("%s sleep %s & exec %s sleep %s", target, marker, target, marker)
		args := append(append([]string{}, tc.opts...), "--", "/bin/sh", "-c", script)
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		cmd := exec.CommandContext(ctx, minijail, args...)
		stderr := outputFile(t)
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatal(err)
		}
		var pids []int
		waitFor(t, "both jailed processes to start", func() bool { pids = procsWith(marker); return len(pids) == 2 })
		initPid := jailInit(pids)
		if err := cmd.Process.Signal(tc.signal); err != nil {
			t.Fatal(err)
		}
		st, err := statusOf(cmd.Wait())
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if st != tc.status {
			t.Errorf("%q, %s to minijail0: status %d, want %d (stderr %q)", tc.opts, unix.SignalName(tc.signal), st, tc.status, readBack(t, stderr))
		}
		// minijail0 is gone: its init is this process's child now (a
		// subreaper), and exits only once the rest of its namespace has.
		done := make(chan struct{})
		go func() {
			var ws syscall.WaitStatus
			syscall.Wait4(initPid, &ws, 0, nil)
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(leakGuard):
			t.Errorf("%q, %v to minijail0: the jail's init (pid %d) outlived it", tc.opts, unix.SignalName(tc.signal), initPid)
			syscall.Kill(initPid, syscall.SIGKILL) // takes its namespace with it
			<-done
		}
		if left := procsWith(marker); len(left) != 0 {
			t.Errorf("%q, %v to minijail0: jailed processes %v outlived it", tc.opts, unix.SignalName(tc.signal), left)
			for _, p := range left {
				killAndReap(p)
			}
		}
	}

	// SIGTERM to minijail0 under -p reaches a target that handles it.
	dir := t.TempDir()
	ready, got := filepath.Join(dir, "ready"), filepath.Join(dir, "got")
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, minijail, "-p", "--", target, "forward", ready, got)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the target to start", func() bool { _, err := os.Stat(ready); return err == nil })
	if b, _ := os.ReadFile(ready); string(b) != "2" {
		t.Errorf("-p: the target is pid %q, want 2", b)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	st, err := statusOf(cmd.Wait())
	if err != nil {
		t.Fatal(err)
	}
	if st != 42 {
		t.Errorf("-p, SIGTERM to minijail0: status %d, want the target's 42", st)
	}
	if b, _ := os.ReadFile(got); string(b) != "terminated" {
		t.Errorf("-p: the target got %q, want SIGTERM", b)
	}
}

// TestNSPropagation checks how / is remounted in the new mount namespace:
// recursively slave for -v (as upstream's CLI), private where a mount
// namespace is only implied, as -K says otherwise, and not at all for a
// bare -K. It runs minijail0 in a mount namespace of its own whose / is
// shared (a new peer group), so that the modes differ; the host's mounts
// are not touched.
func TestNSPropagation(t *testing.T) {
	tests := []struct {
		opts []string
		want string // the jail's /: "shared", "slave" (of the outer peer group), "private", "unbindable"
	}{
		{[]string{"-v"}, "slave"},
		{[]string{"-p"}, "private"},
		{[]string{"-d"}, "private"},
		{[]string{"-v", "-Kslave"}, "slave"},
		{[]string{"-v", "-Kprivate"}, "private"},
		{[]string{"-v", "-Kshared"}, "shared"},
		{[]string{"-v", "-Kunbindable"}, "unbindable"},
		{[]string{"-v", "-K"}, "shared"},
	}
	for _, tc := range tests {
		before := hostMountinfo(t)
		args := append([]string{"ns", "mkshared", "prop:/", "exec", minijail}, tc.opts...)
		args = append(args, "--", target, "ns", "prop:/")
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		cmd := exec.CommandContext(ctx, target, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
		out, err := cmd.Output()
		cancel()
		checkHostMounts(t, strings.Join(tc.opts, " "), before)
		if err != nil {
			t.Errorf("%q: %v, output %q", tc.opts, err, out)
			continue
		}
		props := result{stdout: string(out)}.fields("Prop")
		if len(props) != 2 {
			t.Errorf("%q: output %q", tc.opts, out)
			continue
		}
		outer, _ := strings.CutPrefix(props[0], "/ shared:")
		if _, err := strconv.Atoi(outer); err != nil {
			t.Fatalf("the outer namespace's / is %q, want shared", props[0])
		}
		want := map[string]string{
			"shared":     "/ shared:" + outer,
			"slave":      "/ master:" + outer,
			"private":    "/ private",
			"unbindable": "/ unbindable",
		}[tc.want]
		if props[1] != want && !(tc.want == "shared" && strings.HasPrefix(props[1], "/ shared:")) {
			t.Errorf("%q: the jail's / is %q, want %q", tc.opts, props[1], want)
		}
	}
}

// TestNSProfile checks --profile minimalistic-mountns(-nodev): the host's
// / and /proc bound read-only into a new root, a minimal /dev (not for
// -nodev), a tmpfs /tmp and a read-only /proc.
func TestNSProfile(t *testing.T) {
	for _, profile := range []string{"minimalistic-mountns", "minimalistic-mountns-nodev"} {
		root := newRoot(t, 0)
		before := hostMountinfo(t)
		r := probe(t, nil, []string{"--profile", profile, "-P", root}, "mounts", "write:/mj0-profile", "write:/tmp/f", "ls:/dev")
		checkHostMounts(t, profile, before)
		if m := topMount(t, r, "/"); !m.has("ro") {
			t.Errorf("%s: / mounted %q, want read-only", profile, m.opts)
		}
		if got := keyed(r, "Write", "/mj0-profile"); got != "EROFS" {
			t.Errorf("%s: writing /mj0-profile: %s, want EROFS", profile, got)
		}
		if _, err := os.Stat("/mj0-profile"); err == nil {
			os.Remove("/mj0-profile")
			t.Errorf("%s: the jail wrote into the host's /", profile)
		}
		if ms := mountsAt(r, "/proc"); len(ms) != 1 || !ms[0].has("ro") {
			t.Errorf("%s: /proc mounts %+v, want one, read-only", profile, ms)
		}
		if m := topMount(t, r, "/tmp"); m.fstype != "tmpfs" || !m.hasSuper("size=65536k") {
			t.Errorf("%s: /tmp mounted %+v", profile, m)
		}
		if got := keyed(r, "Write", "/tmp/f"); got != "ok" {
			t.Errorf("%s: writing /tmp/f: %s", profile, got)
		}
		devs := mountsAt(r, "/dev")
		if profile == "minimalistic-mountns" {
			want := mount.DevEntries()
			if _, err := os.Stat("/dev/log"); err == nil {
				want = append(want, "log")
				sort.Strings(want)
			}
			if got := keyed(r, "Ls", "/dev"); got != strings.Join(want, ",") {
				t.Errorf("%s: /dev holds %s, want %s", profile, got, strings.Join(want, ","))
			}
			if len(devs) != 1 || devs[0].fstype != "tmpfs" {
				t.Errorf("%s: mounts at /dev %+v, want one tmpfs", profile, devs)
			}
		} else if len(devs) != 0 {
			t.Errorf("%s: mounts at /dev %+v, want none", profile, devs)
		}
	}
	// Without -P the profile pivots into /var/empty, which must exist.
	marker := filepath.Join(t.TempDir(), "ran")
	r := mj(t, "--profile", "minimalistic-mountns", "--", targetOutsideTmp(t), "touch", marker)
	if fi, err := os.Stat(mount.DefaultPivotRoot); err != nil || !fi.IsDir() {
		if r.status != 1 || !strings.Contains(r.stderr, mount.DefaultPivotRoot) {
			t.Errorf("--profile without %s: status %d, stderr %q; want 1 and the directory named", mount.DefaultPivotRoot, r.status, r.stderr)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("--profile without %s: the target ran", mount.DefaultPivotRoot)
		}
	} else if r.status != 0 {
		t.Errorf("--profile with %s: status %d, stderr %q", mount.DefaultPivotRoot, r.status, r.stderr)
	}
}

// TestNSBindDest checks bind destinations in a new root: missing ones are
// created (a directory or an empty file) owned by the target's uid and gid,
// and symbolic links on the way are resolved inside the new root, never
// reaching the host's directories.
func TestNSBindDest(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "f"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A host directory the links below name; nothing may appear in it.
	hostDir, err := os.MkdirTemp("/var/tmp", "mj0-ns-host")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(hostDir) })
	binds := targetBinds(t)
	for _, chroot := range []bool{false, true} {
		for _, inRoot := range []bool{false, true} {
			root := newRoot(t, 0)
			if err := os.Symlink(hostDir, filepath.Join(root, "abs")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(strings.Repeat("../", 16)+strings.TrimPrefix(hostDir, "/"), filepath.Join(root, "rel")); err != nil {
				t.Fatal(err)
			}
			if inRoot { // the links' target exists in the new root
				if err := os.MkdirAll(filepath.Join(root, hostDir), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			opts := []string{"-P", root}
			if chroot {
				opts = []string{"-v", "-C", root}
			}
			opts = append(opts, binds...)
			opts = append(opts, "-u", "nobody", "-g", "nogroup",
				"-b", src+",/newdir", "-b", src+"/f,/sub/newfile", "-b", src+",/abs/made-abs", "-b", src+",/rel/made-rel")
			what := fmt.Sprintf("%q (the links' target in the root: %v)", opts[:2], inRoot)
			before := hostMountinfo(t)
			r := mj(t, append(opts, "--", target, "ns", "ls:/newdir", "ls:/abs/made-abs", "ls:/rel/made-rel", "mounts")...)
			checkHostMounts(t, what, before)
			if es, _ := os.ReadDir(hostDir); len(es) != 0 {
				t.Errorf("%s: the jail created %v in the host's %s", what, es, hostDir)
				for _, e := range es {
					os.RemoveAll(filepath.Join(hostDir, e.Name()))
				}
			}
			if !inRoot {
				// Resolved inside the root, the links dangle: either
				// refused, or created inside the root.
				if r.status == 0 {
					if _, err := os.Stat(filepath.Join(root, hostDir, "made-abs")); err != nil {
						t.Errorf("%s: the destination through a link is not in the root: %v", what, err)
					}
				} else if r.status != 251 || !strings.Contains(r.stderr, "/abs") {
					t.Errorf("%s: status %d, stderr %q; want 0 or 251 naming /abs", what, r.status, r.stderr)
				}
				continue
			}
			if r.status != 0 {
				t.Errorf("%s: status %d, stderr %q", what, r.status, r.stderr)
				continue
			}
			for _, p := range []string{"/newdir", "/abs/made-abs", "/rel/made-rel"} {
				if got := keyed(r, "Ls", p); got != "f" {
					t.Errorf("%s: %s holds %q in the jail, want the bound f", what, p, got)
				}
			}
			for _, p := range []string{"newdir", "sub/newfile", hostDir + "/made-abs", hostDir + "/made-rel"} {
				fi, err := os.Lstat(filepath.Join(root, p))
				if err != nil {
					t.Errorf("%s: destination %s not created in the root: %v", what, p, err)
					continue
				}
				st := fi.Sys().(*syscall.Stat_t)
				if st.Uid != 65534 || st.Gid != 65534 {
					t.Errorf("%s: destination %s owned by %d:%d, want the target's 65534:65534", what, p, st.Uid, st.Gid)
				}
				if wantDir := p != "sub/newfile"; fi.IsDir() != wantDir || (!wantDir && (!fi.Mode().IsRegular() || fi.Size() != 0)) {
					t.Errorf("%s: destination %s is %v, size %d; want a directory for a directory, an empty file for a file", what, p, fi.Mode(), fi.Size())
				}
			}
		}
	}
}
