// Package mount builds the jail's filesystem view inside a new mount
// namespace: root propagation, bind mounts and mounts in order, a minimal
// /dev, chroot or pivot_root, a tmpfs on /tmp and a read-only /proc.
//
// Everything here runs in the helper on its locked OS thread, after the
// namespaces exist. Destinations are always resolved inside the new root
// with openat2(RESOLVE_IN_ROOT), and mounts are attached to the resolved
// file descriptors, so a symlink in the jail's tree can never redirect a
// mount outside it.
//
// Behaviour that differs from upstream minijail, on purpose:
//   - A bind copies only the mount at its source, like upstream; where the
//     kernel refuses that because submounts are locked (in a user
//     namespace), the submounts are copied too (they were visible to the
//     caller anyway). A read-only bind is read-only recursively.
//   - The /dev tmpfs is nodev as well as nosuid and noexec: its device
//     nodes are bind mounts of the host's, which keep their own flags.
//   - The fresh /proc of RemountProcRO is created before the root changes,
//     so it also works in a user namespace after pivot_root.
//   - The minimalistic-mountns profiles bind /dev/log only where it exists,
//     and fail with a message naming /var/empty when that is missing.
package mount

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/minijail-go/minijail/internal/config"
	"golang.org/x/sys/unix"
)

// mErr builds a mount StepError keeping the context of a wrapped errno.
func mErr(step, p string, err error) *config.StepError {
	se := config.MountErrorf(step, p, err)
	if se.Errno != 0 {
		if s := err.Error(); s != se.Errno.Error() {
			se.Msg = strings.TrimSuffix(s, ": "+se.Errno.Error())
		}
	}
	return se
}

// msg builds a mount StepError without an errno.
func msg(step, p, format string, args ...any) *config.StepError {
	return &config.StepError{Step: step, Path: p, Msg: fmt.Sprintf(format, args...), Mount: true}
}

// NeedsMountNS reports whether cfg asks for anything that changes mounts
// (and so needs a mount namespace of its own).
func NeedsMountNS(cfg *config.Config) bool {
	return len(cfg.Mounts) > 0 || cfg.MountDev || cfg.PivotRoot != "" ||
		cfg.MountTmp || cfg.RemountProcRO
}

// propagation maps a RemountMode to its MS_* flag (0 for RemountNone).
func propagation(mode string) (uintptr, error) {
	switch mode {
	case "", config.RemountPrivate:
		return unix.MS_PRIVATE, nil
	case config.RemountSlave:
		return unix.MS_SLAVE, nil
	case config.RemountShared:
		return unix.MS_SHARED, nil
	case config.RemountUnbindable:
		return unix.MS_UNBINDABLE, nil
	case config.RemountNone:
		return 0, nil
	}
	return 0, fmt.Errorf("unknown remount mode %q", mode)
}

// ids returns the owner for created mount destinations (-1: unchanged).
func ids(cfg *config.Config) (int, int) {
	uid, gid := -1, -1
	if cfg.HasUID {
		uid = int(cfg.UID)
	}
	if cfg.HasGID {
		gid = int(cfg.GID)
	}
	return uid, gid
}

// destOf returns the destination of m inside the new root.
func destOf(m *config.Mount) string {
	if m.Target != "" {
		return m.Target
	}
	return m.Source
}

// underDev reports whether a destination lies in /dev (or is /dev).
func underDev(p string) bool {
	p = path.Clean(p)
	return p == "/dev" || strings.HasPrefix(p, "/dev/")
}

// Setup applies the filesystem part of cfg in the order of DESIGN 3:
// root propagation, cfg.Mounts in order, the minimal /dev, chroot or
// pivot_root, tmpfs /tmp, read-only /proc. It must run in the jail's own
// mount namespace (cfg.Cloneflags has CLONE_NEWNS, or cfg.EnterMountNS was
// joined) on a thread that does not share its fs attributes; it refuses to
// change mounts otherwise. Chroot alone needs no mount namespace.
//
// When MountDev is set, mounts whose destination is in /dev are applied
// after the /dev tmpfs is in place (their sources are taken before it hides
// the host's /dev), so binds of single device nodes still work.
//
// Every failure is a *config.StepError with Mount set; on success Setup
// returns a nil pointer (compare it with nil before storing it in an error
// interface).
func Setup(cfg *config.Config) *config.StepError {
	if cfg.Chroot != "" && cfg.PivotRoot != "" {
		return msg("mount setup", "", "chroot %s and pivot_root %s are exclusive", cfg.Chroot, cfg.PivotRoot)
	}
	newNS := cfg.Cloneflags&unix.CLONE_NEWNS != 0
	if NeedsMountNS(cfg) && !newNS && cfg.EnterMountNS == "" {
		return msg("mount setup", "", "mounts need a new mount namespace (CLONE_NEWNS) or a joined one; refusing to change the caller's")
	}
	uid, gid := ids(cfg)

	// Check the new root before touching anything.
	rootPath := "/"
	if cfg.Chroot != "" {
		rootPath = cfg.Chroot
	}
	if cfg.PivotRoot != "" {
		rootPath = cfg.PivotRoot
	}
	step := "chroot"
	if cfg.PivotRoot != "" {
		step = "pivot_root"
	}
	if !path.IsAbs(rootPath) {
		return msg(step, rootPath, "root directory must be an absolute path")
	}
	if rootPath != "/" {
		var st unix.Stat_t
		if err := unix.Stat(rootPath, &st); err != nil {
			return mErr(step, rootPath, err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return mErr(step, rootPath, unix.ENOTDIR)
		}
	}

	if newNS {
		flag, err := propagation(cfg.RemountMode)
		if err != nil {
			return msg("remount /", "/", "%v", err)
		}
		if flag != 0 {
			if err := unix.Mount("", "/", "", flag|unix.MS_REC, ""); err != nil {
				return mErr("remount / "+cfg.RemountMode, "/", err)
			}
		}
	}

	// A fresh proc instance is created now, while the current /proc is
	// still visible: in a user namespace the kernel only allows a new proc
	// mount when a fully visible one exists in the mount namespace, which
	// is no longer the case after pivot_root.
	procfd := -1
	if cfg.RemountProcRO {
		fd, err := newProcMount()
		if err != nil {
			se := mErr("mount proc", "/proc", err)
			if err := errors.Unwrap(err); err == unix.EPERM && cfg.Cloneflags&unix.CLONE_NEWUSER != 0 {
				se.Msg = "in a user namespace the kernel allows a new /proc only for a pid namespace it owns (-p) and only while the current /proc is fully visible (not partly overmounted)"
			}
			return se
		}
		procfd = fd
		defer unix.Close(procfd)
	}

	if cfg.PivotRoot != "" {
		// pivot_root needs the new root to be a mount point.
		if err := bindOntoItself(cfg.PivotRoot); err != nil {
			return mErr("pivot_root", cfg.PivotRoot, err)
		}
	}
	rootfd, err := unix.Open(rootPath, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return mErr(step, rootPath, err)
	}
	defer func() { unix.Close(rootfd) }()

	var devMounts []config.Mount
	for i := range cfg.Mounts {
		m := &cfg.Mounts[i]
		if cfg.MountDev && underDev(destOf(m)) {
			devMounts = append(devMounts, *m)
			continue
		}
		if se := doMount(rootfd, m, -1, uid, gid); se != nil {
			return se
		}
		if path.Clean(destOf(m)) == "/" {
			// Something now covers the root itself: later steps must
			// see the top of the stack, which a fresh lookup returns.
			fd, err := unix.Open(rootPath, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			if err != nil {
				return mErr(step, rootPath, err)
			}
			unix.Close(rootfd)
			rootfd = fd
		}
	}
	if cfg.MountDev {
		if se := setupDev(rootfd, devMounts, uid, gid); se != nil {
			return se
		}
	}

	switch {
	case cfg.PivotRoot != "":
		if se := pivot(rootfd, cfg.PivotRoot); se != nil {
			return se
		}
	case cfg.Chroot != "":
		if err := unix.Fchdir(rootfd); err != nil {
			return mErr("chroot", cfg.Chroot, err)
		}
		if err := unix.Chroot("."); err != nil {
			return mErr("chroot", cfg.Chroot, err)
		}
		if err := unix.Chdir("/"); err != nil {
			return mErr("chroot", cfg.Chroot, err)
		}
	}

	if cfg.MountTmp || cfg.RemountProcRO {
		// The root is now "/" whichever way we got there.
		newRoot, err := unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return mErr("mount", "/", err)
		}
		defer unix.Close(newRoot)
		if cfg.MountTmp {
			if se := mountTmp(newRoot, cfg.TmpSize, uid, gid); se != nil {
				return se
			}
		}
		if cfg.RemountProcRO {
			if se := attachProc(newRoot, procfd); se != nil {
				return se
			}
		}
	}
	return nil
}

// bindOntoItself makes dir a mount point (recursive bind onto itself).
func bindOntoItself(dir string) error {
	return unix.Mount(dir, dir, "", unix.MS_BIND|unix.MS_REC, "")
}

// pivot makes rootfd the root with pivot_root(".", ".") and detaches the
// old root, leaving no path back to it.
func pivot(rootfd int, dir string) *config.StepError {
	// rootfd was opened after the self-bind, so it is the bind's root.
	if err := unix.Fchdir(rootfd); err != nil {
		return mErr("pivot_root", dir, err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		se := mErr("pivot_root", dir, err)
		if err == unix.EINVAL {
			se.Msg = "the new root or its parent mount has shared propagation (pivot_root needs -K private or slave)"
		}
		return se
	}
	// The old root is now stacked on ".": detach it with everything below.
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return mErr("pivot_root: detach old root", dir, err)
	}
	if err := unix.Chdir("/"); err != nil {
		return mErr("pivot_root", dir, err)
	}
	return nil
}

// cloneTree returns a detached copy of the mount tree at src (an fd from
// open_tree(OPEN_TREE_CLONE)). It copies only the mount at src unless rec
// is set, like mount(2) with MS_BIND; when the kernel refuses because that
// would uncover paths hidden by locked submounts (a user namespace), it
// copies them too: they were visible to the caller anyway.
func cloneTree(src string, rec bool) (int, error) {
	flags := uint(unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC)
	if rec {
		flags |= unix.AT_RECURSIVE
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, src, flags)
	if err == unix.EINVAL && !rec {
		fd, err = unix.OpenTree(unix.AT_FDCWD, src, flags|unix.AT_RECURSIVE)
	}
	return fd, err
}

// setReadOnly makes every mount of a detached tree read-only, keeping all
// its other flags (nosuid, nodev, noexec, atime) as they are.
func setReadOnly(tree int) error {
	return unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE,
		&unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY})
}

// attach moves a detached tree onto the destination fd.
func attach(tree, dest int) error {
	return unix.MoveMount(tree, "", dest, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
}

// doMount applies one entry of the mount list below rootfd. tree, when not
// -1, is the already cloned source of a bind.
func doMount(rootfd int, m *config.Mount, tree, uid, gid int) *config.StepError {
	// A remount, a move or a propagation change acts on an existing
	// mount; everything else with MS_BIND is a new bind.
	const onExisting = unix.MS_REMOUNT | unix.MS_MOVE | unix.MS_SHARED | unix.MS_PRIVATE | unix.MS_SLAVE | unix.MS_UNBINDABLE
	if m.Bind || (m.Flags&unix.MS_BIND != 0 && m.Flags&(unix.MS_REMOUNT|unix.MS_MOVE) == 0) {
		return bind(rootfd, m, tree, uid, gid)
	}
	dest := destOf(m)
	step := "mount " + m.FSType
	if m.FSType == "" {
		if m.Flags&onExisting == 0 {
			return msg("mount", dest, "no filesystem type for source %q", m.Source)
		}
		step = "mount"
	}
	if m.Target == "" {
		return msg(step, m.Source, "no destination")
	}
	var dfd int
	var err error
	if m.Flags&onExisting != 0 {
		dfd, err = openInRoot(rootfd, dest)
	} else {
		dfd, err = ensureDest(rootfd, dest, true, uid, gid)
	}
	if err != nil {
		return mErr(step, dest, err)
	}
	defer unix.Close(dfd)
	data := m.Data
	if m.FSType == "tmpfs" && data == "" {
		data = DefaultTmpfsData
	}
	// Mount through the fd's magic link so the resolved directory, not a
	// path that could be swapped for a symlink, is the mount point.
	target := "/proc/self/fd/" + strconv.Itoa(dfd)
	if err := unix.Mount(m.Source, target, m.FSType, uintptr(m.Flags), data); err != nil {
		if err == unix.ENOENT {
			if _, serr := unix.Readlink(target, make([]byte, 1)); serr != nil {
				return msg(step, dest, "mounting needs /proc/self/fd: %v", serr)
			}
		}
		return mErr(step, dest, err)
	}
	return nil
}

// bindAttrs maps MS_* flags of a -k bind to mount attributes.
func bindAttrs(flags uint64) (set uint64, prop uint64) {
	pairs := []struct{ ms, attr uint64 }{
		{unix.MS_RDONLY, unix.MOUNT_ATTR_RDONLY},
		{unix.MS_NOSUID, unix.MOUNT_ATTR_NOSUID},
		{unix.MS_NODEV, unix.MOUNT_ATTR_NODEV},
		{unix.MS_NOEXEC, unix.MOUNT_ATTR_NOEXEC},
		{unix.MS_NODIRATIME, unix.MOUNT_ATTR_NODIRATIME},
		{unix.MS_NOSYMFOLLOW, unix.MOUNT_ATTR_NOSYMFOLLOW},
	}
	for _, p := range pairs {
		if flags&p.ms != 0 {
			set |= p.attr
		}
	}
	switch {
	case flags&unix.MS_NOATIME != 0:
		set |= unix.MOUNT_ATTR_NOATIME
	case flags&unix.MS_STRICTATIME != 0:
		set |= unix.MOUNT_ATTR_STRICTATIME
	}
	for _, p := range []uint64{unix.MS_PRIVATE, unix.MS_SLAVE, unix.MS_SHARED, unix.MS_UNBINDABLE} {
		if flags&p != 0 {
			prop = p
		}
	}
	return set, prop
}

// bind applies a bind mount (-b, or -k with MS_BIND).
func bind(rootfd int, m *config.Mount, tree, uid, gid int) *config.StepError {
	if !path.IsAbs(m.Source) {
		return msg("bind", m.Source, "source must be an absolute path")
	}
	if !m.Bind && m.Data != "" {
		return msg("bind", m.Source, "a bind mount (MS_BIND) takes no data, got %q", m.Data)
	}
	dest := destOf(m)
	if tree == -1 {
		var err error
		if tree, err = cloneSource(m); err != nil {
			return mErr("bind", m.Source, err)
		}
	}
	defer unix.Close(tree)
	if m.Bind {
		if !m.Writable {
			if err := setReadOnly(tree); err != nil {
				return mErr("bind: remount read-only", dest, err)
			}
		}
	} else if set, prop := bindAttrs(m.Flags); set != 0 || prop != 0 {
		fl := uint(unix.AT_EMPTY_PATH)
		if m.Flags&unix.MS_REC != 0 {
			fl |= unix.AT_RECURSIVE
		}
		if err := unix.MountSetattr(tree, "", fl, &unix.MountAttr{Attr_set: set, Propagation: prop}); err != nil {
			return mErr("bind: set flags", dest, err)
		}
	}
	dir, err := isDirFD(tree)
	if err != nil {
		return mErr("bind", m.Source, err)
	}
	dfd, err := ensureDest(rootfd, dest, dir, uid, gid)
	if err != nil {
		return mErr("bind", dest, err)
	}
	defer unix.Close(dfd)
	if err := attach(tree, dfd); err != nil {
		if ddir, derr := isDirFD(dfd); derr == nil && ddir != dir {
			return msg("bind", dest, "source %s and destination differ in type (directory vs file)", m.Source)
		}
		return mErr("bind", dest, err)
	}
	return nil
}

// cloneSource clones the source tree of a bind entry.
func cloneSource(m *config.Mount) (int, error) {
	rec := !m.Bind && m.Flags&unix.MS_REC != 0
	fd, err := cloneTree(m.Source, rec)
	if err == unix.ENOENT {
		return -1, fmt.Errorf("source does not exist: %w", err)
	}
	return fd, err
}

// newProcMount creates a detached, read-only, nodev/noexec/nosuid proc
// mount for the caller's pid namespace.
func newProcMount() (int, error) {
	return newMount("proc", nil, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC|unix.MOUNT_ATTR_NOSUID)
}

// newMount creates a detached mount of a new fstype superblock configured
// with opts (key=value pairs; a value of "" sets a flag option).
func newMount(fstype string, opts [][2]string, attrs int) (int, error) {
	fsfd, err := unix.Fsopen(fstype, unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("fsopen %s: %w", fstype, err)
	}
	defer unix.Close(fsfd)
	for _, o := range opts {
		if o[1] == "" {
			err = unix.FsconfigSetFlag(fsfd, o[0])
		} else {
			err = unix.FsconfigSetString(fsfd, o[0], o[1])
		}
		if err != nil {
			return -1, fmt.Errorf("%s option %s=%s: %w", fstype, o[0], o[1], err)
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return -1, fmt.Errorf("create %s: %w", fstype, err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, attrs)
	if err != nil {
		return -1, fmt.Errorf("fsmount %s: %w", fstype, err)
	}
	return mfd, nil
}

// mountTmp mounts the -t tmpfs on /tmp.
func mountTmp(rootfd int, size uint64, uid, gid int) *config.StepError {
	if size == 0 {
		size = DefaultTmpSize
	}
	mfd, err := newMount("tmpfs", [][2]string{{"mode", "1777"}, {"size", strconv.FormatUint(size, 10)}},
		unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC|unix.MOUNT_ATTR_NOSUID)
	if err != nil {
		return mErr("mount tmpfs", "/tmp", err)
	}
	defer unix.Close(mfd)
	dfd, err := ensureDest(rootfd, "/tmp", true, uid, gid)
	if err != nil {
		return mErr("mount tmpfs", "/tmp", err)
	}
	defer unix.Close(dfd)
	if err := attach(mfd, dfd); err != nil {
		return mErr("mount tmpfs", "/tmp", err)
	}
	return nil
}

// attachProc detaches whatever is mounted on /proc and attaches the fresh
// read-only proc. Mounts the kernel keeps locked (inherited into a user
// namespace) cannot be detached; the new proc is then stacked on top and
// hides them.
func attachProc(rootfd, procfd int) *config.StepError {
	for range 64 {
		if err := unix.Unmount("/proc", unix.MNT_DETACH); err != nil {
			break // EINVAL: not a mount point (any more) or locked; ENOENT: absent
		}
	}
	dfd, err := ensureDest(rootfd, "/proc", true, -1, -1)
	if err != nil {
		return mErr("mount proc", "/proc", err)
	}
	defer unix.Close(dfd)
	if err := attach(procfd, dfd); err != nil {
		return mErr("mount proc", "/proc", err)
	}
	return nil
}
