package nsutil

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/minijail-go/minijail/internal/config"
	"github.com/minijail-go/minijail/internal/jailtest"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	jailtest.Main(m, map[string]func() int{
		"loopback": roleLoopback,
		"hostname": roleHostname,
		"hold":     roleHold,
		"join":     roleJoin,
	})
}

func roleLoopback() int {
	runtime.LockOSThread()
	r := &jailtest.Reporter{}
	ifs, err := net.Interfaces()
	if err != nil || len(ifs) != 1 || ifs[0].Name != "lo" {
		r.Errorf("interfaces of a new net namespace: %v %v", ifs, err)
		return r.Status()
	}
	if ifs[0].Flags&net.FlagUp != 0 {
		r.Errorf("lo is up before LoopbackUp")
	}
	if se := LoopbackUp(); se != nil {
		r.Errorf("LoopbackUp: %v", se)
		return r.Status()
	}
	ifs, err = net.Interfaces()
	if err != nil || len(ifs) != 1 || ifs[0].Name != "lo" || ifs[0].Flags&net.FlagUp == 0 {
		r.Errorf("after LoopbackUp: %v %v", ifs, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		r.Errorf("listen on loopback: %v", err)
		return r.Status()
	}
	defer l.Close()
	go func() {
		if c, err := l.Accept(); err == nil {
			c.Write([]byte("pong"))
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		r.Errorf("dial loopback: %v", err)
		return r.Status()
	}
	b, err := io.ReadAll(c)
	c.Close()
	if string(b) != "pong" {
		r.Errorf("loopback round trip: %q %v", b, err)
	}
	return r.Status()
}

func TestLoopbackUp(t *testing.T) {
	for _, unpriv := range []bool{false, true} {
		t.Run(fmt.Sprintf("unprivileged=%v", unpriv), func(t *testing.T) {
			o := jailtest.Opts{Cloneflags: syscall.CLONE_NEWNET, Unprivileged: unpriv}
			if unpriv {
				o.Cloneflags |= syscall.CLONE_NEWUSER
			}
			res := jailtest.Run(t, "loopback", o)
			if res.Status != 0 {
				t.Fatalf("status %d:\n%s", res.Status, res.Output)
			}
		})
	}
}

func roleHostname() int {
	r := &jailtest.Reporter{}
	name := os.Getenv("NSUTIL_HOSTNAME")
	if se := SetHostname(name); se != nil {
		r.Errorf("SetHostname: %v", se)
	}
	if h, err := os.Hostname(); err != nil || h != name {
		r.Errorf("hostname %q %v, want %q", h, err, name)
	}
	if se := SetHostname(strings.Repeat("x", 65)); se == nil || !strings.Contains(se.Msg, "allows 64") {
		r.Errorf("too long hostname: %v", se)
	}
	return r.Status()
}

func TestSetHostname(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("j", MaxHostnameLen)
	res := jailtest.Run(t, "hostname", jailtest.Opts{Cloneflags: syscall.CLONE_NEWUTS, Env: []string{"NSUTIL_HOSTNAME=" + name}})
	if res.Status != 0 {
		t.Fatalf("status %d:\n%s", res.Status, res.Output)
	}
	if h, _ := os.Hostname(); h != host {
		t.Errorf("host's hostname changed to %q", h)
	}
	for _, bad := range []string{"", "a\x00b", strings.Repeat("x", 65)} {
		if err := CheckHostname(bad); err == nil {
			t.Errorf("CheckHostname(%q) accepted", bad)
		}
	}
}

// roleHold keeps new namespaces alive: it mounts a tmpfs holding a marker
// file on the directory in NSUTIL_DIR, says "ready", and waits for EOF.
func roleHold() int {
	dir := os.Getenv("NSUTIL_DIR")
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		fmt.Println("private:", err)
		return 1
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		fmt.Println("mount:", err)
		return 1
	}
	if err := os.WriteFile(filepath.Join(dir, "marker"), nil, 0o644); err != nil {
		fmt.Println("marker:", err)
		return 1
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

func roleJoin() int {
	runtime.LockOSThread()
	r := &jailtest.Reporter{}
	cfg := config.Config{EnterMountNS: os.Getenv("NSUTIL_MNT"), EnterNetNS: os.Getenv("NSUTIL_NET"), EnterMountNSFD: -1, EnterNetNSFD: -1}
	if se := Join(&cfg); se != nil {
		r.Errorf("Join: %v", se)
		return r.Status()
	}
	for _, k := range []string{"mnt", "net"} {
		got, err := os.Readlink("/proc/thread-self/ns/" + k)
		if want := os.Getenv("NSUTIL_WANT_" + k); err != nil || got != want {
			r.Errorf("%s namespace %q %v, want %q", k, got, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("NSUTIL_DIR"), "marker")); err != nil {
		r.Errorf("the joined mount namespace's tmpfs is not visible: %v", err)
	}
	return r.Status()
}

func TestJoin(t *testing.T) {
	dir := t.TempDir()
	before := jailtest.HostMounts(t)
	hold := jailtest.Command(t, "hold", jailtest.Opts{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWNET, Env: []string{"NSUTIL_DIR=" + dir}})
	in, err := hold.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := hold.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		in.Close()
		hold.Wait()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("holder: %q %v", line, err)
	}
	pid := hold.Process.Pid
	env := []string{"NSUTIL_DIR=" + dir}
	for _, k := range []string{"mnt", "net"} {
		f := fmt.Sprintf("/proc/%d/ns/%s", pid, k)
		want, err := os.Readlink(f)
		if err != nil {
			t.Fatal(err)
		}
		mine, _ := os.Readlink("/proc/self/ns/" + k)
		if mine == want {
			t.Fatalf("holder shares the %s namespace", k)
		}
		env = append(env, "NSUTIL_"+strings.ToUpper(k)+"="+f, "NSUTIL_WANT_"+k+"="+want)
	}
	res := jailtest.Run(t, "join", jailtest.Opts{Env: env})
	if res.Status != 0 {
		t.Fatalf("status %d:\n%s", res.Status, res.Output)
	}
	if _, err := os.Stat(filepath.Join(dir, "marker")); err == nil {
		t.Errorf("the holder's tmpfs leaked into the host")
	}
	if after := jailtest.HostMounts(t); after != before {
		t.Errorf("host mount table changed")
	}
}

func TestJoinErrors(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	se := Join(&config.Config{EnterNetNS: "/nonexistent/ns", EnterMountNSFD: -1, EnterNetNSFD: -1})
	if se == nil || se.Errno != syscall.ENOENT || se.Path != "/nonexistent/ns" || se.Step != "setns net namespace" {
		t.Errorf("missing file: %+v", se)
	}
	// A UTS namespace file is not a network namespace: the kernel says
	// EINVAL, and nothing is joined.
	se = Join(&config.Config{EnterNetNS: "/proc/self/ns/uts", EnterMountNSFD: -1, EnterNetNSFD: -1})
	if se == nil || se.Errno != syscall.EINVAL || !strings.Contains(se.Msg, "not a namespace file") {
		t.Errorf("wrong kind: %+v", se)
	}
}
