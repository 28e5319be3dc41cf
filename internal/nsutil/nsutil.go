// Package nsutil finishes the namespaces the helper runs in: joining
// existing mount and network namespaces (-V, -e FILE), bringing up the
// loopback interface of a new network namespace, and setting the hostname
// of a new UTS namespace.
//
// Namespace membership is per thread until execve: callers run these on
// the helper's locked OS thread.
package nsutil

import (
	"errors"
	"fmt"

	"github.com/minijail-go/minijail/internal/config"
	"golang.org/x/sys/unix"
)

// Join enters the namespaces cfg names: the mount namespace in
// cfg.EnterMountNS (after unshare(CLONE_FS), which setns requires of a
// multithreaded process) and the network namespace in cfg.EnterNetNS. The
// calling thread must be locked (runtime.LockOSThread) and must stay so
// until execve.
//
// The files are used through cfg.EnterMountNSFD / EnterNetNSFD when the
// parent opened them, else opened here. With a new mount namespace asked
// for too (cfg.Cloneflags has CLONE_NEWNS; the parent then leaves it out
// of the clone), it is made below the joined one, as upstream does, so the
// jail's own mounts stay out of the joined namespace.
func Join(cfg *config.Config) *config.StepError {
	if cfg.EnterMountNS != "" {
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			return config.Errorf("unshare CLONE_FS", cfg.EnterMountNS, err)
		}
		if se := setns("setns mount namespace", cfg.EnterMountNS, cfg.EnterMountNSFD, unix.CLONE_NEWNS); se != nil {
			return se
		}
		if cfg.Cloneflags&unix.CLONE_NEWNS != 0 {
			if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
				return config.Errorf("unshare CLONE_NEWNS below", cfg.EnterMountNS, err)
			}
		}
	}
	if cfg.EnterNetNS != "" {
		if se := setns("setns net namespace", cfg.EnterNetNS, cfg.EnterNetNSFD, unix.CLONE_NEWNET); se != nil {
			return se
		}
	}
	return nil
}

// setns joins the namespace of kind nstype in file (already open as fd,
// if fd is not -1).
func setns(step, file string, fd, nstype int) *config.StepError {
	if fd < 0 {
		var err error
		fd, err = unix.Open(file, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return config.Errorf(step, file, err)
		}
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, nstype); err != nil {
		se := config.Errorf(step, file, err)
		if errors.Is(err, unix.EINVAL) {
			se.Msg = "not a namespace file of that kind"
		}
		return se
	}
	return nil
}

// LoopbackUp brings the loopback interface "lo" of the current network
// namespace up, with the SIOCSIFFLAGS ioctl on an AF_INET socket.
func LoopbackUp() *config.StepError {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return config.Errorf("loopback up: socket", "lo", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return config.Errorf("loopback up", "lo", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return config.Errorf("loopback up: SIOCGIFFLAGS", "lo", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP | unix.IFF_RUNNING)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return config.Errorf("loopback up: SIOCSIFFLAGS", "lo", err)
	}
	return nil
}

// MaxHostnameLen is the longest hostname the kernel accepts.
const MaxHostnameLen = 64

// CheckHostname reports whether name can be a UTS hostname.
func CheckHostname(name string) error {
	if name == "" {
		return errors.New("hostname is empty")
	}
	if len(name) > MaxHostnameLen {
		return fmt.Errorf("hostname %q is %d bytes long; the kernel allows %d", name, len(name), MaxHostnameLen)
	}
	for i := 0; i < len(name); i++ {
		if name[i] == 0 {
			return fmt.Errorf("hostname %q contains a NUL byte", name)
		}
	}
	return nil
}

// SetHostname sets the hostname of the current UTS namespace.
func SetHostname(name string) *config.StepError {
	if err := CheckHostname(name); err != nil {
		return &config.StepError{Step: "sethostname", Path: name, Msg: err.Error()}
	}
	if err := unix.Sethostname([]byte(name)); err != nil {
		return config.Errorf("sethostname", name, err)
	}
	return nil
}
