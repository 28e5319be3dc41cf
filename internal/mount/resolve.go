package mount

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// errNotAbs is returned for relative mount destinations.
var errNotAbs = errors.New("path is not absolute")

// relInRoot turns an absolute path into the relative form openat2 wants
// below a root directory fd ("." for the root itself).
func relInRoot(p string) (string, error) {
	if !path.IsAbs(p) {
		return "", errNotAbs
	}
	r := strings.TrimPrefix(path.Clean(p), "/")
	if r == "" {
		r = "."
	}
	return r, nil
}

// openInRoot opens p as an O_PATH fd, resolving every component (symlinks
// and ".." included) inside rootfd: absolute symlinks start at rootfd and
// ".." never climbs above it, so the result can never lie outside the
// root. Magic links (/proc/*/fd/*, /proc/*/root, ...) are refused.
func openInRoot(rootfd int, p string) (int, error) {
	rel, err := relInRoot(p)
	if err != nil {
		return -1, err
	}
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	for range 16 {
		fd, err := unix.Openat2(rootfd, rel, &how)
		// EAGAIN: a concurrent rename raced with the walk; retry.
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		return fd, err
	}
	return -1, unix.EAGAIN
}

// ensureDest returns an O_PATH fd for the mount destination p inside
// rootfd, creating it when missing: missing parent components become
// directories (mode 0755), the last component a directory when dir is set,
// else an empty regular file (mode 0644). The destination itself, when
// created, is chowned to uid:gid (-1 leaves an id unchanged); missing
// parents stay owned by the caller, so the target gets no say over the
// layout of the root. A dangling symlink is an error: its
// target is never created.
func ensureDest(rootfd int, p string, dir bool, uid, gid int) (int, error) {
	fd, err := openInRoot(rootfd, p)
	if err == nil {
		return fd, nil
	}
	if err != unix.ENOENT {
		return -1, err
	}
	rel, _ := relInRoot(p) // p was accepted by openInRoot
	comps := strings.Split(rel, "/")
	parent, err := unix.Openat2(rootfd, ".", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC})
	if err != nil {
		return -1, err
	}
	for i, c := range comps {
		prefix := "/" + strings.Join(comps[:i+1], "/")
		next, err := openInRoot(rootfd, prefix)
		if err == unix.ENOENT {
			last := i == len(comps)-1
			if last && !dir {
				var f int
				f, err = unix.Openat(parent, c, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
				if err == nil {
					unix.Close(f)
				}
			} else {
				err = unix.Mkdirat(parent, c, 0o755)
			}
			if err == unix.EEXIST {
				unix.Close(parent)
				return -1, fmt.Errorf("%s is a dangling symlink or changed while being created: %w", prefix, err)
			}
			if err != nil {
				unix.Close(parent)
				return -1, fmt.Errorf("create %s: %w", prefix, err)
			}
			if last && (uid != -1 || gid != -1) {
				if err := unix.Fchownat(parent, c, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					unix.Close(parent)
					return -1, fmt.Errorf("chown %s to %d:%d: %w", prefix, uid, gid, err)
				}
			}
			next, err = openInRoot(rootfd, prefix)
		}
		unix.Close(parent)
		if err != nil {
			return -1, fmt.Errorf("open %s: %w", prefix, err)
		}
		parent = next
	}
	return parent, nil
}

// isDirFD reports whether the (O_PATH) fd refers to a directory.
func isDirFD(fd int) (bool, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return false, err
	}
	return st.Mode&unix.S_IFMT == unix.S_IFDIR, nil
}
