package minijail

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/minijail-go/minijail/internal/config"
)

// NamespaceVFS runs the target in a new mount namespace (minijail0 -v).
// Its root is remounted with the propagation set by RemountMode (private
// unless asked otherwise).
func (j *Jail) NamespaceVFS() { j.cfg.Cloneflags |= syscall.CLONE_NEWNS }

// SkipRemountPrivate leaves the propagation of the new mount namespace's root
// as inherited (minijail0 bare -K).
func (j *Jail) SkipRemountPrivate() { j.cfg.RemountMode = config.RemountNone }

// RemountMode sets the propagation the root of the new mount namespace gets:
// "private", "slave", "shared", "unbindable" or "none" (minijail0 -K).
func (j *Jail) RemountMode(mode string) error {
	switch mode {
	case config.RemountPrivate, config.RemountSlave, config.RemountShared, config.RemountUnbindable, config.RemountNone:
		j.cfg.RemountMode = mode
		return nil
	}
	return fmt.Errorf("remount mode %q: want private, slave, shared, unbindable or none", mode)
}

// NamespaceEnterVFS makes the target join the mount namespace at path (for
// example /proc/PID/ns/mnt; minijail0 -V).
func (j *Jail) NamespaceEnterVFS(path string) { j.cfg.EnterMountNS = path }

// NamespacePIDs runs the target in a new pid namespace (minijail0 -p). Unless
// RunAsInit is asked, the jail's init is pid 1 and the target pid 2.
func (j *Jail) NamespacePIDs() {
	j.cfg.Cloneflags |= syscall.CLONE_NEWPID | syscall.CLONE_NEWNS
	j.cfg.RemountProcRO = true
}

// RunAsInit makes the target itself pid 1 of its pid namespace (minijail0 -I).
func (j *Jail) RunAsInit() { j.cfg.RunAsInit = true }

// NamespaceNet runs the target in a new network namespace holding only a
// loopback interface, brought up (minijail0 -e).
func (j *Jail) NamespaceNet() { j.cfg.Cloneflags |= syscall.CLONE_NEWNET }

// NamespaceEnterNet makes the target join the network namespace at path (for
// example /run/netns/NAME; minijail0 -eFILE).
func (j *Jail) NamespaceEnterNet(path string) { j.cfg.EnterNetNS = path }

// NamespaceIPC runs the target in a new IPC namespace (minijail0 -l).
func (j *Jail) NamespaceIPC() { j.cfg.Cloneflags |= syscall.CLONE_NEWIPC }

// NamespaceUTS runs the target in a new UTS namespace (minijail0 --uts).
func (j *Jail) NamespaceUTS() { j.cfg.Cloneflags |= syscall.CLONE_NEWUTS }

// SetHostname sets the hostname in the new UTS namespace (--uts=NAME).
func (j *Jail) SetHostname(name string) error {
	if j.cfg.Cloneflags&syscall.CLONE_NEWUTS == 0 {
		return fmt.Errorf("hostname %q: needs a new UTS namespace", name)
	}
	if len(name) == 0 || len(name) > 64 {
		return fmt.Errorf("hostname %q: must be 1 to 64 bytes", name)
	}
	j.cfg.Hostname = name
	return nil
}

// NamespaceCgroups runs the target in a new cgroup namespace (minijail0 -N).
func (j *Jail) NamespaceCgroups() { j.cfg.Cloneflags |= syscall.CLONE_NEWCGROUP }

// NamespaceUser runs the target in a new user namespace (minijail0 -U).
func (j *Jail) NamespaceUser() { j.cfg.Cloneflags |= syscall.CLONE_NEWUSER }

// UIDMap sets the uid map of the new user namespace: "inner outer count"
// entries separated by commas (minijail0 -m).
func (j *Jail) UIDMap(m string) { j.cfg.UIDMap, j.cfg.UIDMapSet = m, true }

// GIDMap sets the gid map of the new user namespace (minijail0 -M).
func (j *Jail) GIDMap(m string) { j.cfg.GIDMap, j.cfg.GIDMapSet = m, true }

// Bind bind-mounts src at dest inside the jail, read-only unless writable
// (minijail0 -b). Mounts are made in the order they are added.
func (j *Jail) Bind(src, dest string, writable bool) error {
	if !filepath.IsAbs(src) {
		return fmt.Errorf("bind %s: source must be an absolute path", src)
	}
	if dest == "" {
		dest = src
	}
	if !filepath.IsAbs(dest) {
		return fmt.Errorf("bind %s: destination %q must be an absolute path", src, dest)
	}
	j.cfg.Mounts = append(j.cfg.Mounts, config.Mount{Source: src, Target: dest, Bind: true, Writable: writable})
	return nil
}

// Mount mounts src of type fstype at dest inside the jail with MS_* flags and
// file-system data (minijail0 -k).
func (j *Jail) Mount(src, dest, fstype string, flags uint64, data string) error {
	if !filepath.IsAbs(dest) {
		return fmt.Errorf("mount %s: destination %q must be an absolute path", src, dest)
	}
	if fstype == "" {
		return fmt.Errorf("mount %s on %s: needs a file system type", src, dest)
	}
	if flags&syscall.MS_BIND != 0 && data != "" {
		return fmt.Errorf("mount %s on %s: data is not allowed with MS_BIND", src, dest)
	}
	j.cfg.Mounts = append(j.cfg.Mounts, config.Mount{Source: src, Target: dest, FSType: fstype, Flags: flags, Data: data})
	return nil
}

// EnterChroot makes dir the target's root with chroot(2) (minijail0 -C).
func (j *Jail) EnterChroot(dir string) error {
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("chroot %s: must be an absolute path", dir)
	}
	if j.cfg.PivotRoot != "" {
		return fmt.Errorf("chroot %s: cannot be combined with pivot_root %s", dir, j.cfg.PivotRoot)
	}
	j.cfg.Chroot = dir
	return nil
}

// EnterPivotRoot makes dir the target's root with pivot_root(2), detaching the
// old root (minijail0 -P). It implies a new mount namespace.
func (j *Jail) EnterPivotRoot(dir string) error {
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("pivot_root %s: must be an absolute path", dir)
	}
	if j.cfg.Chroot != "" {
		return fmt.Errorf("pivot_root %s: cannot be combined with chroot %s", dir, j.cfg.Chroot)
	}
	j.cfg.PivotRoot = dir
	j.cfg.Cloneflags |= syscall.CLONE_NEWNS
	return nil
}

// RemountProcReadonly mounts a fresh, read-only /proc in the jail
// (minijail0 -r). It implies a new mount namespace.
func (j *Jail) RemountProcReadonly() {
	j.cfg.RemountProcRO = true
	j.cfg.Cloneflags |= syscall.CLONE_NEWNS
}

// MountTmp mounts a tmpfs of size bytes (0: 64 MiB) on /tmp (minijail0 -t).
func (j *Jail) MountTmp(size uint64) {
	if size == 0 {
		size = 64 << 20
	}
	j.cfg.MountTmp, j.cfg.TmpSize = true, size
	j.cfg.Cloneflags |= syscall.CLONE_NEWNS
}

// MountDev gives the jail a minimal /dev of its own (minijail0 -d).
func (j *Jail) MountDev() {
	j.cfg.MountDev = true
	j.cfg.Cloneflags |= syscall.CLONE_NEWNS
}

// GetOriginalPath returns where a path inside the jail comes from outside
// it, following the bind mounts and the chroot or pivot_root directory.
func (j *Jail) GetOriginalPath(inside string) string {
	inside = filepath.Clean(inside)
	best := -1
	for i, m := range j.cfg.Mounts {
		if !m.Bind {
			continue
		}
		if inside == m.Target || strings.HasPrefix(inside, strings.TrimSuffix(m.Target, "/")+"/") {
			if best < 0 || len(m.Target) >= len(j.cfg.Mounts[best].Target) {
				best = i
			}
		}
	}
	if best >= 0 {
		m := j.cfg.Mounts[best]
		return filepath.Join(m.Source, strings.TrimPrefix(inside, m.Target))
	}
	root := j.cfg.Chroot
	if root == "" {
		root = j.cfg.PivotRoot
	}
	if root != "" {
		return filepath.Join(root, inside)
	}
	return inside
}
