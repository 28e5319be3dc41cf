// Package logging writes the jail's own diagnostics to standard error or to
// syslog, as minijail0's --logging chooses.
package logging

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Logger writes one line per message.
type Logger struct {
	mu     sync.Mutex
	tag    string
	fd     int // connected syslog socket, or -1
	stderr io.Writer
}

// New returns a logger for mode "auto" (standard error when it is a
// terminal, else syslog), "syslog" or "stderr". When syslog cannot be
// reached, messages go to standard error.
func New(tag, mode string) *Logger {
	_, err := unix.IoctlGetTermios(2, unix.TCGETS)
	return newLogger(tag, mode, "/dev/log", err == nil, os.Stderr)
}

func newLogger(tag, mode, devlog string, stderrIsTerminal bool, stderr io.Writer) *Logger {
	l := &Logger{tag: tag, fd: -1, stderr: stderr}
	if mode == "syslog" || mode == "auto" && !stderrIsTerminal {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err == nil {
			if err := unix.Connect(fd, &unix.SockaddrUnix{Name: devlog}); err == nil {
				l.fd = fd
			} else {
				unix.Close(fd)
			}
		}
	}
	return l
}

// Printf logs one message (to syslog with facility user, priority warning).
func (l *Logger) Printf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fd >= 0 {
		const userWarning = 1<<3 | 4
		line := "<" + strconv.Itoa(userWarning) + ">" + time.Now().Format(time.Stamp) + " " +
			l.tag + "[" + strconv.Itoa(os.Getpid()) + "]: " + msg
		if _, err := unix.Write(l.fd, []byte(line)); err == nil {
			return
		}
	}
	fmt.Fprintf(l.stderr, "%s: %s\n", l.tag, msg)
}
