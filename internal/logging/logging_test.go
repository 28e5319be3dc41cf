package logging

import (
	"bytes"
	"path/filepath"
	"regexp"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSyslog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode     string
		terminal bool
		syslog   bool
	}{
		{"syslog", true, true},
		{"auto", false, true},
		{"auto", true, false},
		{"stderr", false, false},
	} {
		var errb bytes.Buffer
		l := newLogger("minijail0", tc.mode, path, tc.terminal, &errb)
		l.Printf("jail %s failed", "x")
		if !tc.syslog {
			if errb.String() != "minijail0: jail x failed\n" {
				t.Errorf("%s (terminal %v): stderr %q", tc.mode, tc.terminal, errb.String())
			}
			continue
		}
		buf := make([]byte, 512)
		n, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if err != nil {
			t.Fatalf("%s: nothing reached syslog: %v (stderr %q)", tc.mode, err, errb.String())
		}
		if !regexp.MustCompile(`^<12>\w{3} [ \d]\d \d\d:\d\d:\d\d minijail0\[\d+\]: jail x failed$`).Match(buf[:n]) {
			t.Errorf("%s: syslog line %q", tc.mode, buf[:n])
		}
	}
}

func TestSyslogUnreachableFallsBack(t *testing.T) {
	var errb bytes.Buffer
	l := newLogger("minijail0", "syslog", filepath.Join(t.TempDir(), "none"), false, &errb)
	l.Printf("hello")
	if errb.String() != "minijail0: hello\n" {
		t.Fatalf("stderr %q", errb.String())
	}
}
