package mount

import (
	"sort"

	"github.com/minijail-go/minijail/internal/config"
	"golang.org/x/sys/unix"
)

// devNode is one device node of the minimal /dev, bound from the host.
type devNode struct {
	name     string
	readOnly bool
}

// devNodes are the device nodes of the minimal /dev (MountDev). Each is a
// bind mount of the host's node: binding works in a user namespace, where
// mknod does not.
var devNodes = []devNode{{"null", false}, {"zero", false}, {"full", false}, {"urandom", true}, {"tty", false}}

// DevSymlinks are the symbolic links of the minimal /dev: name -> target.
var DevSymlinks = [][2]string{
	{"ptmx", "pts/ptmx"},
	{"fd", "/proc/self/fd"},
	{"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"},
	{"stderr", "/proc/self/fd/2"},
}

// DevEntries returns the sorted names of everything the minimal /dev
// (MountDev) holds before binds into it: the device nodes null, zero,
// full, urandom (read-only) and tty, the DevSymlinks, and the pts and shm
// directories.
func DevEntries() []string {
	var names []string
	for _, n := range devNodes {
		names = append(names, n.name)
	}
	for _, l := range DevSymlinks {
		names = append(names, l[0])
	}
	names = append(names, "pts", "shm")
	sort.Strings(names)
	return names
}

// setupDev mounts a tmpfs on /dev inside rootfd holding the nodes of
// DevNodes (bound from the host, urandom read-only), a new devpts instance
// on /dev/pts, the links of DevSymlinks and an empty /dev/shm (mode 1777);
// then applies the deferred mounts whose destination is in /dev.
func setupDev(rootfd int, deferred []config.Mount, uid, gid int) *config.StepError {
	// Take every source first: with the root at "/", the tmpfs is about to
	// hide the host's /dev.
	var trees []int
	defer func() {
		for _, t := range trees {
			if t != -1 {
				unix.Close(t)
			}
		}
	}()
	for _, n := range devNodes {
		src := "/dev/" + n.name
		t, err := cloneTree(src, false)
		if err != nil {
			return mErr("mount-dev: bind", src, err)
		}
		trees = append(trees, t)
		if n.readOnly {
			if err := setReadOnly(t); err != nil {
				return mErr("mount-dev: remount read-only", src, err)
			}
		}
	}
	deferredTrees := make([]int, len(deferred))
	defer func() {
		for _, t := range deferredTrees {
			if t != -1 {
				unix.Close(t)
			}
		}
	}()
	for i := range deferred {
		deferredTrees[i] = -1
		m := &deferred[i]
		if m.Bind || m.Flags&unix.MS_BIND != 0 {
			t, err := cloneSource(m)
			if err != nil {
				return mErr("bind", m.Source, err)
			}
			deferredTrees[i] = t
		}
	}

	mfd, err := newMount("tmpfs", [][2]string{{"mode", "0755"}, {"size", "512K"}},
		unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NOEXEC|unix.MOUNT_ATTR_NODEV)
	if err != nil {
		return mErr("mount-dev", "/dev", err)
	}
	defer unix.Close(mfd)
	dfd, err := ensureDest(rootfd, "/dev", true, uid, gid)
	if err != nil {
		return mErr("mount-dev", "/dev", err)
	}
	err = attach(mfd, dfd)
	unix.Close(dfd)
	if err != nil {
		return mErr("mount-dev", "/dev", err)
	}
	// mfd now names the root of the attached tmpfs.
	for i, n := range devNodes {
		p := "/dev/" + n.name
		f, err := unix.Openat(mfd, n.name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o666)
		if err != nil {
			return mErr("mount-dev: create", p, err)
		}
		unix.Close(f)
		nfd, err := unix.Openat(mfd, n.name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return mErr("mount-dev: open", p, err)
		}
		err = attach(trees[i], nfd)
		unix.Close(nfd)
		if err != nil {
			return mErr("mount-dev: bind", p, err)
		}
	}
	if err := unix.Mkdirat(mfd, "pts", 0o755); err != nil {
		return mErr("mount-dev: mkdir", "/dev/pts", err)
	}
	pts, err := newMount("devpts", [][2]string{{"newinstance", ""}, {"ptmxmode", "0666"}, {"mode", "0620"}},
		unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NOEXEC)
	if err != nil {
		return mErr("mount-dev: devpts", "/dev/pts", err)
	}
	defer unix.Close(pts)
	ptsDir, err := unix.Openat(mfd, "pts", unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return mErr("mount-dev: devpts", "/dev/pts", err)
	}
	err = attach(pts, ptsDir)
	unix.Close(ptsDir)
	if err != nil {
		return mErr("mount-dev: devpts", "/dev/pts", err)
	}
	for _, l := range DevSymlinks {
		if err := unix.Symlinkat(l[1], mfd, l[0]); err != nil {
			return mErr("mount-dev: symlink", "/dev/"+l[0], err)
		}
	}
	if err := unix.Mkdirat(mfd, "shm", 0o1777); err != nil {
		return mErr("mount-dev: mkdir", "/dev/shm", err)
	}
	// mkdir applies the umask: set the mode explicitly.
	if err := unix.Fchmodat(mfd, "shm", 0o1777, 0); err != nil {
		return mErr("mount-dev: chmod", "/dev/shm", err)
	}

	for i := range deferred {
		t := deferredTrees[i]
		deferredTrees[i] = -1 // doMount closes it
		if se := doMount(rootfd, &deferred[i], t, uid, gid); se != nil {
			return se
		}
	}
	return nil
}
