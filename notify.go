package minijail

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/minijail-go/minijail/seccomp/arch"
)

// superviseNotifications receives the seccomp listener the helper sends on
// sock, then answers every notification: it names the refused system call
// through logf and lets it continue (log mode, minijail0 -L). It returns
// when the jail is gone.
func superviseNotifications(sock *os.File, policy string, logf func(string, ...any)) {
	defer sock.Close()
	listener, err := receiveFD(int(sock.Fd()))
	if err != nil || listener < 0 {
		return // the helper failed before, or sent nothing
	}
	defer unix.Close(listener)
	host := arch.Host()
	for {
		fds := []unix.PollFd{{Fd: int32(listener), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return
		}
		if fds[0].Revents&unix.POLLIN == 0 {
			return // POLLHUP: no task uses the filter any more
		}
		n, err := notifRecv(listener)
		if err != nil {
			if errors.Is(err, unix.EINTR) || errors.Is(err, unix.ENOENT) {
				continue
			}
			return
		}
		name, ok := host.SyscallName(uint32(n.data.nr))
		if !ok || n.data.arch != host.AuditArch {
			name = fmt.Sprintf("syscall %d (arch %#x)", n.data.nr, n.data.arch)
		}
		logf("seccomp: pid %d: %s (%d) is not allowed by %s; allowed in log mode", n.pid, name, n.data.nr, policy)
		notifContinue(listener, n.id)
	}
}

// receiveFD reads one fd passed with SCM_RIGHTS.
func receiveFD(sock int) (int, error) {
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := unix.Recvmsg(sock, buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return -1, err
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) == 0 {
		return -1, err
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return -1, fmt.Errorf("seccomp listener: got %d fds", len(fds))
	}
	return fds[0], nil
}
