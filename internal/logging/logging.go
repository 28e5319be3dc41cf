// Package logging writes the jail's own diagnostics to standard error or to
// syslog, as minijail0's --logging chooses.
package logging

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Logger writes one line per message.
type Logger struct {
	mu     sync.Mutex
	tag    string
	syslog bool
	fd     int // connected /dev/log socket, or -1
}

// New returns a logger for mode "auto" (standard error when it is a terminal,
// else syslog), "syslog" or "stderr". When syslog cannot be reached, messages
// go to standard error.
func New(tag, mode string) *Logger {
	l := &Logger{tag: tag, fd: -1}
	switch mode {
	case "syslog":
		l.syslog = true
	case "auto":
		_, err := unix.IoctlGetTermios(2, unix.TCGETS)
		l.syslog = err != nil
	}
	if l.syslog {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err == nil {
			if err := unix.Connect(fd, &unix.SockaddrUnix{Name: "/dev/log"}); err == nil {
				l.fd = fd
			} else {
				unix.Close(fd)
			}
		}
	}
	return l
}

// Printf logs one message (syslog facility user, priority warning).
func (l *Logger) Printf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fd >= 0 {
		const userWarning = 1<<3 | 4
		line := "<" + strconv.Itoa(userWarning) + ">" + time.Now().Format(time.Stamp) + " " +
			l.tag + "[" + strconv.Itoa(os.Getpid()) + "]: " + msg
		if _, err := syscall.Write(l.fd, []byte(line)); err == nil {
			return
		}
	}
	fmt.Fprintf(os.Stderr, "%s: %s\n", l.tag, msg)
}
