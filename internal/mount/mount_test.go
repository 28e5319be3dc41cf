package mount

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/minijail-go/minijail/internal/config"
	"github.com/minijail-go/minijail/internal/jailtest"
	"golang.org/x/sys/unix"
)

const (
	caseEnv = "MOUNT_TEST_CASE"
	cfgEnv  = "MOUNT_TEST_CFG"
	baseEnv = "MOUNT_TEST_BASE"
)

// testCase is run in a child: pre (optional) prepares the child's mount
// namespace, then Setup runs, then probe checks the result from inside.
type testCase struct {
	pre   func(base string) error
	probe func(r *jailtest.Reporter, base string)
}

var cases = map[string]testCase{}

func TestMain(m *testing.M) {
	jailtest.Main(m, map[string]func() int{"mount": mountRole})
}

// mountRole is the child side of runCase.
func mountRole() int {
	runtime.LockOSThread()
	var cfg config.Config
	if err := json.Unmarshal([]byte(os.Getenv(cfgEnv)), &cfg); err != nil {
		fmt.Println("bad config:", err)
		return 100
	}
	c := cases[os.Getenv(caseEnv)]
	base := os.Getenv(baseEnv)
	if c.pre != nil {
		if err := c.pre(base); err != nil {
			fmt.Println("pre:", err)
			return 101
		}
	}
	if se := Setup(&cfg); se != nil {
		b, _ := json.Marshal(se)
		fmt.Printf("SETUP-ERROR %s\n%s\n", b, se.Error())
		return 3
	}
	r := &jailtest.Reporter{}
	if c.probe != nil {
		c.probe(r, base)
	}
	return r.Status()
}

// runCase runs cfg in a child with the given clone flags (cfg.Cloneflags
// is set to them), checking that the caller's mount table is unchanged.
func runCase(t *testing.T, name string, base string, cfg config.Config, o jailtest.Opts) jailtest.Result {
	t.Helper()
	if o.Cloneflags == 0 {
		o.Cloneflags = syscall.CLONE_NEWNS
	}
	if cfg.Cloneflags == 0 {
		cfg.Cloneflags = uint64(o.Cloneflags)
	}
	b, err := json.Marshal(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	o.Env = append(o.Env, caseEnv+"="+name, cfgEnv+"="+string(b), baseEnv+"="+base)
	before := jailtest.HostMounts(t)
	res := jailtest.Run(t, "mount", o)
	if after := jailtest.HostMounts(t); after != before {
		t.Errorf("host mount table changed by case %s:\nbefore:\n%s\nafter:\n%s", name, before, after)
	}
	return res
}

// expectOK fails unless the child's probes all passed.
func expectOK(t *testing.T, res jailtest.Result) {
	t.Helper()
	if res.Status != 0 || !strings.Contains(res.Output, "PROBES OK") {
		t.Fatalf("child status %d:\n%s", res.Status, res.Output)
	}
}

// expectSetupError checks the child's Setup failed with step, path, errno.
func expectSetupError(t *testing.T, res jailtest.Result, step, path string, errno syscall.Errno, msgPart string) {
	t.Helper()
	if res.Status != 3 {
		t.Fatalf("want setup error (status 3), got status %d:\n%s", res.Status, res.Output)
	}
	line, _, _ := strings.Cut(strings.TrimPrefix(res.Output, "SETUP-ERROR "), "\n")
	var se config.StepError
	if err := json.Unmarshal([]byte(line), &se); err != nil {
		t.Fatalf("bad error report %q: %v", res.Output, err)
	}
	if !se.Mount {
		t.Errorf("error %+v: Mount not set", se)
	}
	if step != "" && se.Step != step {
		t.Errorf("step = %q, want %q (%+v)", se.Step, step, se)
	}
	if path != "" && se.Path != path {
		t.Errorf("path = %q, want %q (%+v)", se.Path, path, se)
	}
	if se.Errno != errno {
		t.Errorf("errno = %v, want %v (%+v)", se.Errno, errno, se)
	}
	if msgPart != "" && !strings.Contains(se.Msg, msgPart) {
		t.Errorf("msg = %q, want it to contain %q", se.Msg, msgPart)
	}
}

// newBase makes a world-readable scratch directory with a source tree:
// src/hello, file, outside/, root/.
func newBase(t *testing.T) string {
	t.Helper()
	base, err := os.MkdirTemp("", "mounttest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	must(t, os.Chmod(base, 0o755))
	for _, d := range []string{"src", "outside", "root", "srcfs"} {
		must(t, os.Mkdir(filepath.Join(base, d), 0o755))
	}
	must(t, os.WriteFile(filepath.Join(base, "src", "hello"), []byte("hi\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(base, "file"), []byte("file\n"), 0o666))
	must(t, os.WriteFile(filepath.Join(base, "marker"), nil, 0o644))
	return base
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// mi reads the child's mountinfo, reporting failure.
func mi(r *jailtest.Reporter) []jailtest.MountInfo {
	m, err := jailtest.ReadMountInfo()
	if err != nil {
		r.Errorf("mountinfo: %v", err)
	}
	return m
}

// checkMount reports unless mountpoint p exists with fstype and options.
func checkMount(r *jailtest.Reporter, m []jailtest.MountInfo, p, fstype string, opts ...string) jailtest.MountInfo {
	e, ok := jailtest.Find(m, p)
	if !ok {
		r.Errorf("%s is not a mount point", p)
		return e
	}
	if fstype != "" && e.FSType != fstype {
		r.Errorf("%s: fstype %s, want %s", p, e.FSType, fstype)
	}
	for _, o := range opts {
		if !e.Has(o) {
			r.Errorf("%s: options %v lack %s", p, e.Options, o)
		}
	}
	return e
}

// checkMode reports unless p has permission bits mode.
func checkMode(r *jailtest.Reporter, p string, mode uint32) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil || st.Mode&0o7777 != mode {
		r.Errorf("%s: mode %o (%v), want %o", p, st.Mode&0o7777, err, mode)
	}
}

// checkErrno reports unless err is errno.
func checkErrno(r *jailtest.Reporter, what string, err error, errno syscall.Errno) {
	if !errors.Is(err, errno) {
		r.Errorf("%s: got %v, want %v", what, err, errno)
	}
}

func init() {
	cases["binds"] = testCase{
		pre: func(base string) error {
			return unix.Mount("tmpfs", filepath.Join(base, "srcfs"), "tmpfs",
				unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=1M")
		},
		probe: func(r *jailtest.Reporter, base string) {
			j := filepath.Join(base, "root")
			m := mi(r)
			ro := checkMount(r, m, j+"/a/b/ro", "", "ro")
			if ro.Has("rw") {
				r.Errorf("read-only bind has rw: %v", ro.Options)
			}
			if b, err := os.ReadFile(j + "/a/b/ro/hello"); err != nil || string(b) != "hi\n" {
				r.Errorf("read through ro bind: %q %v", b, err)
			}
			checkErrno(r, "create in ro bind", os.WriteFile(j+"/a/b/ro/new", nil, 0o644), syscall.EROFS)
			checkMount(r, m, j+"/fs", "tmpfs", "ro", "nosuid", "nodev", "noexec")
			checkMount(r, m, j+"/f", "", "rw")
			if err := os.WriteFile(j+"/f", []byte("written\n"), 0o644); err != nil {
				r.Errorf("write through writable file bind: %v", err)
			}
			checkMount(r, m, j+"/rw", "", "rw")
			if err := os.WriteFile(j+"/rw/new", []byte("x"), 0o644); err != nil {
				r.Errorf("create in writable bind: %v", err)
			}
			for _, p := range []string{j + "/a", j + "/a/b"} {
				var st unix.Stat_t
				if err := unix.Stat(p, &st); err != nil || st.Uid != 0 || st.Gid != 0 {
					r.Errorf("created parent %s: owner %d:%d (%v), want 0:0", p, st.Uid, st.Gid, err)
				}
			}
		},
	}
}

func TestBinds(t *testing.T) {
	base := newBase(t)
	j := filepath.Join(base, "root")
	cfg := config.Config{
		RemountMode: config.RemountPrivate, HasUID: true, UID: 1234, HasGID: true, GID: 4321,
		Mounts: []config.Mount{
			{Source: base + "/src", Target: j + "/a/b/ro", Bind: true},
			{Source: base + "/srcfs", Target: j + "/fs", Bind: true},
			{Source: base + "/file", Target: j + "/f", Bind: true, Writable: true},
			{Source: base + "/src", Target: j + "/rw", Bind: true, Writable: true},
		},
	}
	expectOK(t, runCase(t, "binds", base, cfg, jailtest.Opts{}))
	// The created destinations stay on the host (they are plain
	// directories and files), owned by the target ids; the mounts do not.
	var st unix.Stat_t
	must(t, unix.Stat(j+"/f", &st))
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Uid != 1234 || st.Gid != 4321 {
		t.Errorf("file destination: mode %o owner %d:%d, want a regular file owned by 1234:4321", st.Mode, st.Uid, st.Gid)
	}
	must(t, unix.Stat(j+"/a/b/ro", &st))
	if st.Mode&unix.S_IFMT != unix.S_IFDIR || st.Uid != 1234 || st.Gid != 4321 {
		t.Errorf("directory destination: mode %o owner %d:%d, want a directory owned by 1234:4321", st.Mode, st.Uid, st.Gid)
	}
	if b, _ := os.ReadFile(base + "/file"); string(b) != "written\n" {
		t.Errorf("write through the writable bind did not reach the source: %q", b)
	}
	if _, err := os.Stat(base + "/src/new"); err != nil {
		t.Errorf("create through the writable dir bind: %v", err)
	}
}

func init() {
	cases["kmounts"] = testCase{probe: func(r *jailtest.Reporter, base string) {
		j := filepath.Join(base, "root")
		m := mi(r)
		t1 := checkMount(r, m, j+"/t1", "tmpfs", "nodev", "noexec", "nosuid", "rw")
		if t1.Super("size") != "10240k" || t1.Super("mode") != "755" {
			r.Errorf("default tmpfs data: %v", t1.SuperOpts)
		}
		t2 := checkMount(r, m, j+"/t2", "tmpfs", "ro", "nosuid")
		if t2.Has("nodev") {
			r.Errorf("explicit flags must replace the defaults: %v", t2.Options)
		}
		if t2.Super("size") != "1024k" || t2.Super("mode") != "700" || t2.Super("nr_inodes") != "100" {
			r.Errorf("tmpfs data with commas: %v", t2.SuperOpts)
		}
		checkMount(r, m, j+"/kb", "", "ro", "noexec")
		checkMount(r, m, j+"/later-ro", "", "ro", "nosuid")
		checkErrno(r, "create in remounted bind", os.WriteFile(j+"/later-ro/new", nil, 0o644), syscall.EROFS)
		if _, err := os.Stat(j + "/kb/hello"); err != nil {
			r.Errorf("-k bind content: %v", err)
		}
	}}
}

func TestKMounts(t *testing.T) {
	base := newBase(t)
	j := filepath.Join(base, "root")
	cfg := config.Config{Mounts: []config.Mount{
		{Source: "tmpfs", Target: j + "/t1", FSType: "tmpfs", Flags: DefaultMountFlags},
		{Source: "none", Target: j + "/t2", FSType: "tmpfs", Flags: unix.MS_RDONLY | unix.MS_NOSUID, Data: "size=1M,mode=0700,nr_inodes=100"},
		{Source: base + "/src", Target: j + "/kb", Flags: unix.MS_BIND | unix.MS_RDONLY | unix.MS_NOEXEC},
		{Source: base + "/src", Target: j + "/later-ro", Bind: true, Writable: true},
		{Source: "none", Target: j + "/later-ro", Flags: unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY | unix.MS_NOSUID},
	}}
	expectOK(t, runCase(t, "kmounts", base, cfg, jailtest.Opts{}))
}

func init() {
	cases["escape"] = testCase{probe: func(r *jailtest.Reporter, base string) {
		for _, p := range []string{"/inside1", "/inside2", "/sub/inside3"} {
			if _, err := os.Stat(p + "/hello"); err != nil {
				r.Errorf("bind through in-root symlink at %s: %v", p, err)
			}
		}
		m := mi(r)
		var points []string
		for _, e := range m {
			points = append(points, e.MountPoint)
		}
		sort.Strings(points)
		if want := []string{"/", "/inside1", "/inside2", "/proc", "/sub/inside3"}; !slices.Equal(points, want) {
			r.Errorf("mount points %v, want %v", points, want)
		}
	}}
}

// escapeRoot populates base/root with symlinks that point outside.
func escapeRoot(t *testing.T, base string) {
	j := filepath.Join(base, "root")
	must(t, os.Symlink("/", j+"/esc"))
	must(t, os.Symlink(base+"/outside", j+"/abs"))
	must(t, os.Symlink("../../../../../../.."+base+"/outside", j+"/up"))
	must(t, os.Mkdir(j+"/sub", 0o755))
	must(t, os.Symlink("../../../../../../..", j+"/sub/dotdot"))
}

func TestSymlinkEscape(t *testing.T) {
	base := newBase(t)
	escapeRoot(t, base)
	src := base + "/src"
	cfg := config.Config{PivotRoot: base + "/root", RemountProcRO: true, Mounts: []config.Mount{
		{Source: src, Target: "/esc/inside1", Bind: true},
		{Source: src, Target: "/../../../inside2", Bind: true},
		{Source: src, Target: "/sub/dotdot/sub/inside3", Bind: true},
	}}
	expectOK(t, runCase(t, "escape", base, cfg, jailtest.Opts{}))
	for _, target := range []string{"/abs/z", "/up/z", "/abs", "/up"} {
		t.Run(strings.TrimPrefix(target, "/"), func(t *testing.T) {
			cfg := config.Config{PivotRoot: base + "/root", Mounts: []config.Mount{{Source: src, Target: target, Bind: true}}}
			res := runCase(t, "escape", base, cfg, jailtest.Opts{})
			if strings.HasSuffix(target, "/z") {
				expectSetupError(t, res, "bind", target, syscall.EEXIST, "dangling symlink")
			} else {
				// The symlink resolves (inside the root) to a missing
				// path; nothing is created for it.
				expectSetupError(t, res, "bind", target, syscall.EEXIST, "dangling symlink")
			}
			entries, err := os.ReadDir(base + "/outside")
			if err != nil || len(entries) != 0 {
				t.Errorf("outside directory touched: %v %v", entries, err)
			}
		})
	}
}

func init() {
	cases["pivot"] = testCase{probe: func(r *jailtest.Reporter, base string) {
		ents, err := os.ReadDir("/")
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if want := []string{"data", "proc", "tmp"}; err != nil || !slices.Equal(names, want) {
			r.Errorf("root holds %v (%v), want %v", names, err, want)
		}
		m := mi(r)
		var points []string
		for _, e := range m {
			points = append(points, e.MountPoint)
		}
		sort.Strings(points)
		if want := []string{"/", "/data", "/proc", "/tmp"}; !slices.Equal(points, want) {
			r.Errorf("mount points %v, want %v (old root must be gone)", points, want)
		}
		tmp := checkMount(r, m, "/tmp", "tmpfs", "nodev", "noexec", "nosuid", "rw")
		if tmp.Super("size") != "2048k" {
			r.Errorf("/tmp superblock options %v, want size=2048k", tmp.SuperOpts)
		}
		checkMode(r, "/tmp", 0o1777)
		checkMount(r, m, "/proc", "proc", "ro", "nodev", "noexec", "nosuid")
		if self, err := os.Readlink("/proc/self"); err != nil || self != "1" {
			r.Errorf("/proc is not the new pid namespace's: /proc/self -> %q %v", self, err)
		}
		if root, err := os.Readlink("/proc/1/root"); err != nil || root != "/" {
			r.Errorf("/proc/1/root -> %q %v", root, err)
		}
		checkErrno(r, "write to read-only /proc", os.WriteFile("/proc/sys/kernel/domainname", []byte("x"), 0), syscall.EROFS)
		checkEscape(r, base)
	}}
}

// checkEscape tries to climb out of the root with "..".
func checkEscape(r *jailtest.Reporter, base string) {
	for range 30 {
		if err := os.Chdir(".."); err != nil {
			r.Errorf("chdir ..: %v", err)
		}
	}
	wd, err := os.Getwd()
	if err != nil || wd != "/" {
		r.Errorf("after climbing, cwd %q %v", wd, err)
	}
	for _, p := range []string{base + "/marker", "../../../../../../.." + base + "/marker", "/proc/1/root/.." + base + "/marker", "/proc/1/cwd/../.." + base + "/marker"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			r.Errorf("host file reachable as %s: %v", p, err)
		}
	}
}

func TestPivotRoot(t *testing.T) {
	base := newBase(t)
	cfg := config.Config{
		PivotRoot: base + "/root", MountTmp: true, TmpSize: 2 << 20, RemountProcRO: true,
		RemountMode: config.RemountSlave,
		Mounts:      []config.Mount{{Source: base + "/src", Target: "/data", Bind: true}},
	}
	expectOK(t, runCase(t, "pivot", base, cfg, jailtest.Opts{Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID}))
}

func init() {
	cases["chroot"] = testCase{probe: func(r *jailtest.Reporter, base string) {
		if _, err := os.Stat("/data/hello"); err != nil {
			r.Errorf("bind inside chroot: %v", err)
		}
		checkEscape(r, base)
	}}
}

func TestChroot(t *testing.T) {
	base := newBase(t)
	cfg := config.Config{
		Chroot: base + "/root", RemountProcRO: true,
		Mounts: []config.Mount{{Source: base + "/src", Target: "/data", Bind: true}},
	}
	expectOK(t, runCase(t, "chroot", base, cfg, jailtest.Opts{Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID}))
}

func init() {
	cases["dev"] = testCase{probe: func(r *jailtest.Reporter, base string) {
		ents, err := os.ReadDir("/dev")
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		want := []string{"fd", "full", "mynull", "null", "ptmx", "pts", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"}
		got := append(DevEntries(), "mynull")
		sort.Strings(got)
		if !slices.Equal(got, want) {
			r.Errorf("DevEntries() = %v", got)
		}
		if err != nil || !slices.Equal(names, want) {
			r.Errorf("/dev holds %v (%v), want %v", names, err, want)
		}
		m := mi(r)
		checkMount(r, m, "/dev", "tmpfs", "nosuid", "noexec", "nodev")
		checkMount(r, m, "/dev/urandom", "", "ro")
		checkMount(r, m, "/dev/null", "", "rw")
		checkMount(r, m, "/dev/mynull", "", "rw")
		checkMount(r, m, "/dev/pts", "devpts", "nosuid", "noexec")
		for _, n := range []string{"null", "zero", "full", "urandom", "tty", "mynull"} {
			var st unix.Stat_t
			if err := unix.Stat("/dev/"+n, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
				r.Errorf("/dev/%s is not a character device: %o %v", n, st.Mode, err)
			}
		}
		for _, l := range DevSymlinks {
			if got, err := os.Readlink("/dev/" + l[0]); err != nil || got != l[1] {
				r.Errorf("/dev/%s -> %q %v, want %q", l[0], got, err, l[1])
			}
		}
		var st unix.Stat_t
		if err := unix.Stat("/dev/shm", &st); err != nil || st.Mode&0o7777 != 0o1777 || st.Mode&unix.S_IFMT != unix.S_IFDIR {
			r.Errorf("/dev/shm mode %o %v, want a 1777 directory", st.Mode, err)
		}
		if err := os.WriteFile("/dev/null", []byte("x"), 0); err != nil {
			r.Errorf("write /dev/null: %v", err)
		}
		if f, err := os.Open("/dev/zero"); err != nil {
			r.Errorf("open /dev/zero: %v", err)
		} else {
			b := make([]byte, 8)
			if n, err := f.Read(b); n != 8 || err != nil || !bytes.Equal(b, make([]byte, 8)) {
				r.Errorf("read /dev/zero: %v %v %v", n, err, b)
			}
			f.Close()
		}
		if f, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0); err != nil {
			r.Errorf("open /dev/ptmx: %v", err)
		} else {
			n, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCGPTN)
			if err != nil || n != 0 {
				r.Errorf("first pty of a new devpts instance: %d %v, want 0", n, err)
			}
			f.Close()
		}
	}}
}

func TestMountDev(t *testing.T) {
	for _, pivot := range []bool{true, false} {
		t.Run(fmt.Sprintf("pivot=%v", pivot), func(t *testing.T) {
			base := newBase(t)
			cfg := config.Config{MountDev: true, RemountProcRO: true, Mounts: []config.Mount{
				{Source: "/dev/null", Target: "/dev/mynull", Bind: true, Writable: true},
			}}
			if pivot {
				cfg.PivotRoot = base + "/root"
			}
			expectOK(t, runCase(t, "dev", base, cfg, jailtest.Opts{}))
		})
	}
}

func init() {
	cases["private-first"] = testCase{pre: func(string) error {
		return unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, "")
	}}
}

func TestFailures(t *testing.T) {
	base := newBase(t)
	j := base + "/root"
	good := config.Mount{Source: base + "/src", Target: j + "/good", Bind: true}
	tmp := config.Mount{Source: "tmpfs", Target: j + "/tmp", FSType: "tmpfs", Flags: DefaultMountFlags}
	tests := []struct {
		name                string
		cfg                 config.Config
		step, path, msgPart string
		errno               syscall.Errno
	}{
		{"missing source half way", config.Config{MountDev: true, MountTmp: true, Mounts: []config.Mount{good, tmp, {Source: base + "/nope", Target: j + "/x", Bind: true}}},
			"bind", base + "/nope", "source does not exist", syscall.ENOENT},
		{"relative source", config.Config{Mounts: []config.Mount{{Source: "src", Target: j + "/x", Bind: true}}},
			"bind", "src", "absolute", 0},
		{"relative target", config.Config{Mounts: []config.Mount{{Source: base + "/src", Target: "x", Bind: true}}},
			"bind", "x", "not absolute", 0},
		{"bad fstype", config.Config{Mounts: []config.Mount{good, {Source: "x", Target: j + "/x", FSType: "nosuchfs"}}},
			"mount nosuchfs", j + "/x", "", syscall.ENODEV},
		{"bind with data", config.Config{Mounts: []config.Mount{{Source: base + "/src", Target: j + "/x", Flags: unix.MS_BIND, Data: "size=1"}}},
			"bind", base + "/src", "takes no data", 0},
		{"file onto dir", config.Config{Mounts: []config.Mount{{Source: base + "/file", Target: base + "/src", Bind: true}}},
			"bind", base + "/src", "differ in type", 0},
		{"chroot not a directory", config.Config{Chroot: base + "/marker", Mounts: []config.Mount{good}},
			"chroot", base + "/marker", "", syscall.ENOTDIR},
		{"pivot root missing", config.Config{PivotRoot: base + "/missing", Mounts: []config.Mount{good}},
			"pivot_root", base + "/missing", "", syscall.ENOENT},
		{"remount of a missing path", config.Config{Mounts: []config.Mount{{Source: "none", Target: j + "/absent", Flags: unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY}}},
			"mount", j + "/absent", "", syscall.ENOENT},
		{"pivot with shared propagation", config.Config{RemountMode: config.RemountShared, PivotRoot: j},
			"pivot_root", j, "shared propagation", syscall.EINVAL},
		{"chroot and pivot", config.Config{Chroot: j, PivotRoot: j}, "mount setup", "", "exclusive", 0},
		{"bad remount mode", config.Config{RemountMode: "sideways", Mounts: []config.Mount{good}}, "remount /", "/", "sideways", 0},
		{"dangling dev source", config.Config{MountDev: true, Mounts: []config.Mount{{Source: "/dev/nonexistent", Target: "/dev/x", Bind: true}}},
			"bind", "/dev/nonexistent", "source does not exist", syscall.ENOENT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// "private-first" cuts the child's mounts off the host's
			// peer groups before Setup runs, whatever -K asks for.
			res := runCase(t, "private-first", base, tc.cfg, jailtest.Opts{})
			expectSetupError(t, res, tc.step, tc.path, tc.errno, tc.msgPart)
		})
	}
	// The mount list needs a mount namespace: without one Setup refuses
	// before touching anything (the child has one anyway, as a guard).
	cfg := config.Config{Cloneflags: syscall.CLONE_NEWPID, Mounts: []config.Mount{{Source: base + "/src", Target: j + "/nons", Bind: true}}}
	res := runCase(t, "fail", base, cfg, jailtest.Opts{Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID})
	expectSetupError(t, res, "mount setup", "", 0, "mount namespace")
	if _, err := os.Stat(j + "/nons"); err == nil {
		t.Errorf("Setup created a destination without a mount namespace")
	}
}

func init() {
	cases["unpriv"] = testCase{probe: func(r *jailtest.Reporter, base string) {
		if os.Getuid() != 0 {
			r.Errorf("uid in the user namespace %d, want 0", os.Getuid())
		}
		m := mi(r)
		checkMount(r, m, "/data", "", "ro")
		checkMount(r, m, "/rw", "", "rw")
		checkMount(r, m, "/scratch", "tmpfs", "nosuid", "nodev", "noexec")
		tmp := checkMount(r, m, "/tmp", "tmpfs", "nosuid", "nodev", "noexec")
		if tmp.Super("size") != "1024k" {
			r.Errorf("/tmp superblock options %v", tmp.SuperOpts)
		}
		checkMode(r, "/tmp", 0o1777)
		checkMount(r, m, "/proc", "proc", "ro", "nosuid", "nodev", "noexec")
		checkMount(r, m, "/dev/null", "", "rw")
		checkMount(r, m, "/dev/urandom", "", "ro")
		if self, err := os.Readlink("/proc/self"); err != nil || self != "1" {
			r.Errorf("/proc/self -> %q %v, want 1", self, err)
		}
		checkErrno(r, "create in ro bind", os.WriteFile("/data/new", nil, 0o644), syscall.EROFS)
		if err := os.WriteFile("/rw/new", nil, 0o644); err != nil {
			r.Errorf("create in rw bind: %v", err)
		}
		if err := os.WriteFile("/dev/null", []byte("x"), 0); err != nil {
			r.Errorf("write /dev/null: %v", err)
		}
		if _, err := os.Stat("/usr/bin"); err != nil {
			r.Errorf("/usr bind: %v", err)
		}
		checkEscape(r, base)
	}}
}

func TestUnprivileged(t *testing.T) {
	base := newBase(t)
	must(t, os.Chown(base+"/root", jailtest.NobodyID, jailtest.NobodyID))
	must(t, os.Mkdir(base+"/rwsrc", 0o755))
	must(t, os.Chown(base+"/rwsrc", jailtest.NobodyID, jailtest.NobodyID))
	cfg := config.Config{
		PivotRoot: base + "/root", MountTmp: true, TmpSize: 1 << 20, RemountProcRO: true, MountDev: true,
		HasUID: true, HasGID: true,
		Mounts: []config.Mount{
			{Source: "/usr", Target: "/usr", Bind: true},
			{Source: base + "/src", Target: "/data", Bind: true},
			{Source: base + "/rwsrc", Target: "/rw", Bind: true, Writable: true},
			{Source: "tmpfs", Target: "/scratch", FSType: "tmpfs", Flags: DefaultMountFlags},
		},
	}
	res := runCase(t, "unpriv", base, cfg, jailtest.Opts{
		Cloneflags:   syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID,
		Unprivileged: true,
	})
	expectOK(t, res)
	// Without a pid namespace of its own, the user namespace may not
	// mount a proc: the error says why.
	res = runCase(t, "unpriv", base, config.Config{RemountProcRO: true, Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS}, jailtest.Opts{
		Cloneflags:   syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		Unprivileged: true,
	})
	expectSetupError(t, res, "mount proc", "/proc", syscall.EPERM, "pid namespace it owns")
	var st unix.Stat_t
	must(t, unix.Stat(base+"/root/data", &st))
	if st.Uid != jailtest.NobodyID {
		t.Errorf("destination created in the user namespace owned by %d, want %d", st.Uid, jailtest.NobodyID)
	}
}

func init() {
	cases["profile"] = testCase{probe: func(r *jailtest.Reporter, base string) {
		m := mi(r)
		checkMount(r, m, "/", "", "ro")
		checkMount(r, m, "/proc", "proc", "ro", "nosuid", "nodev", "noexec")
		checkMount(r, m, "/tmp", "tmpfs", "nosuid", "nodev", "noexec")
		if os.Getenv("MOUNT_TEST_DEV") == "1" {
			checkMount(r, m, "/dev", "tmpfs", "nosuid", "nodev", "noexec")
			if _, err := os.Stat("/dev/null"); err != nil {
				r.Errorf("/dev/null: %v", err)
			}
		} else if _, ok := jailtest.Find(m, "/dev"); ok {
			r.Errorf("%s mounted /dev", ProfileMinimalisticMountNSNoDev)
		}
		checkErrno(r, "write to read-only /", os.WriteFile("/newfile", nil, 0o644), syscall.EROFS)
		checkEscape(r, base)
		if self, err := os.Readlink("/proc/self"); err != nil || self != "1" {
			r.Errorf("/proc/self -> %q %v, want 1", self, err)
		}
	}}
}

func TestProfile(t *testing.T) {
	base := newBase(t)
	var cfg config.Config
	if err := ApplyProfile(&cfg, "maximal"); err == nil || !strings.Contains(err.Error(), "unknown profile") {
		t.Errorf("unknown profile: %v", err)
	}
	err := ApplyProfile(&cfg, ProfileMinimalisticMountNS)
	if _, serr := os.Stat(DefaultPivotRoot); serr != nil {
		if err == nil || !strings.Contains(err.Error(), DefaultPivotRoot) || !strings.Contains(err.Error(), "-P") {
			t.Errorf("missing %s: error %v", DefaultPivotRoot, err)
		}
	} else if err != nil || cfg.PivotRoot != DefaultPivotRoot {
		t.Errorf("profile with %s present: %v, pivot %q", DefaultPivotRoot, err, cfg.PivotRoot)
	}
	for _, name := range []string{ProfileMinimalisticMountNS, ProfileMinimalisticMountNSNoDev} {
		t.Run(name, func(t *testing.T) {
			cfg := config.Config{PivotRoot: base + "/root"}
			must(t, ApplyProfile(&cfg, name))
			if !cfg.MountTmp || cfg.TmpSize != DefaultTmpSize || !cfg.RemountProcRO || cfg.MountDev != (name == ProfileMinimalisticMountNS) {
				t.Fatalf("profile config: %+v", cfg)
			}
			cfg.Cloneflags |= syscall.CLONE_NEWPID
			dev := "MOUNT_TEST_DEV=0"
			if cfg.MountDev {
				dev = "MOUNT_TEST_DEV=1"
			}
			expectOK(t, runCase(t, "profile", base, cfg, jailtest.Opts{Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID, Env: []string{dev}}))
		})
	}
}
