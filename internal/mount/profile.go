package mount

import (
	"fmt"

	"github.com/minijail-go/minijail/internal/config"
	"golang.org/x/sys/unix"
)

// Profile names accepted by ApplyProfile.
const (
	ProfileMinimalisticMountNS      = "minimalistic-mountns"
	ProfileMinimalisticMountNSNoDev = "minimalistic-mountns-nodev"
)

// DefaultPivotRoot is the empty directory the minimalistic-mountns profiles
// pivot into when neither a chroot nor a pivot_root directory was given.
const DefaultPivotRoot = "/var/empty"

// ApplyProfile expands a --profile name into cfg: a new mount namespace,
// "/" and "/proc" bound read-only, (minimalistic-mountns only) /dev/log
// bound read-only when the host has it, and a minimal /dev, a tmpfs on /tmp (TmpSize kept if set)
// and a read-only /proc, and pivot_root into DefaultPivotRoot unless cfg
// already has a Chroot or PivotRoot.
//
// Like upstream, the profile needs DefaultPivotRoot to exist: when it is
// missing (or not a directory) ApplyProfile returns an error naming it and
// saying how to fix it, rather than creating anything on the host. It is
// meant to run in the parent, so the error comes before the jail starts.
func ApplyProfile(cfg *config.Config, name string) error {
	var dev bool
	switch name {
	case ProfileMinimalisticMountNS:
		dev = true
	case ProfileMinimalisticMountNSNoDev:
	default:
		return fmt.Errorf("unknown profile %q (known: %s, %s)", name,
			ProfileMinimalisticMountNS, ProfileMinimalisticMountNSNoDev)
	}
	if cfg.Chroot == "" && cfg.PivotRoot == "" {
		var st unix.Stat_t
		if err := unix.Stat(DefaultPivotRoot, &st); err != nil {
			return fmt.Errorf("profile %s pivots into %s: %w (create it as an empty directory owned by root, or give a root directory with -P)",
				name, DefaultPivotRoot, err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return fmt.Errorf("profile %s pivots into %s, which is not a directory", name, DefaultPivotRoot)
		}
		cfg.PivotRoot = DefaultPivotRoot
	}
	if cfg.Cloneflags&unix.CLONE_NEWNS == 0 && cfg.EnterMountNS == "" {
		cfg.Cloneflags |= unix.CLONE_NEWNS
		if cfg.RemountMode == "" {
			cfg.RemountMode = config.RemountPrivate
		}
	}
	cfg.Mounts = append(cfg.Mounts,
		config.Mount{Source: "/", Target: "/", Bind: true},
		config.Mount{Source: "/proc", Target: "/proc", Bind: true})
	if dev {
		// Upstream binds /dev/log unconditionally and fails on hosts
		// without a syslog socket; bind it only where it exists.
		var st unix.Stat_t
		if unix.Stat("/dev/log", &st) == nil {
			cfg.Mounts = append(cfg.Mounts, config.Mount{Source: "/dev/log", Target: "/dev/log", Bind: true})
		}
		cfg.MountDev = true
	}
	cfg.MountTmp = true
	if cfg.TmpSize == 0 {
		cfg.TmpSize = DefaultTmpSize
	}
	cfg.RemountProcRO = true
	return nil
}
