package minijail

import (
	"fmt"
	"os"
	"syscall"

	"github.com/minijail-go/minijail/internal/caps"
	"github.com/minijail-go/minijail/internal/config"
	"github.com/minijail-go/minijail/internal/idmap"
)

// setUserNamespace fills in the uid and gid maps the kernel gets when the
// jail has a new user namespace; os/exec writes them while the child waits.
// A map asked for without a value (minijail0 bare -m/-M) maps the jail's
// uid/gid (or 0) to the caller's. Without CAP_SETGID the kernel insists on
// setgroups being denied before a gid map is written.
func (j *Jail) setUserNamespace(c *config.Config, attr *syscall.SysProcAttr) error {
	if c.Cloneflags&syscall.CLONE_NEWUSER == 0 {
		if c.UIDMapSet || c.GIDMapSet {
			return fmt.Errorf("start jail: uid/gid maps need a new user namespace")
		}
		return nil
	}
	// The helper holds every capability in its new user namespace, but
	// would lose them at its own execve unless it is uid 0 there: raised as
	// ambient, they survive it, whatever the maps. The helper clears the
	// ambient set again before the target's execve.
	for cp := 0; cp <= caps.LastCap(); cp++ {
		attr.AmbientCaps = append(attr.AmbientCaps, uintptr(cp))
	}
	if c.UIDMapSet {
		m, err := idMap("uid", c.UIDMap, c.UID, c.HasUID, os.Getuid())
		if err != nil {
			return err
		}
		attr.UidMappings = m
	}
	if c.GIDMapSet {
		m, err := idMap("gid", c.GIDMap, c.GID, c.HasGID, os.Getgid())
		if err != nil {
			return err
		}
		attr.GidMappings = m
		if s, err := caps.Get(); err == nil && s.Effective&(1<<caps.SetGID) != 0 {
			attr.GidMappingsEnableSetgroups = true
		}
	}
	return nil
}

// explainStartError turns a bare error from clone(2) or from writing the id
// maps into one that names the cause (a sysctl, an id that cannot be
// mapped, ...).
func explainStartError(c *config.Config, attr *syscall.SysProcAttr, err error) error {
	req := idmap.Request{
		Cloneflags:       uintptr(c.Cloneflags),
		UIDMaps:          attr.UidMappings,
		GIDMaps:          attr.GidMappings,
		SetgroupsAllowed: attr.GidMappingsEnableSetgroups,
	}
	return fmt.Errorf("start jail: %w", idmap.Explain(err, req, idmap.CurrentCaller(), idmap.ReadSysctls()))
}

// idMap is the map asked for: spec parsed, or for an empty spec (bare
// -m/-M) the jail's id (or 0) mapped to the caller's.
func idMap(kind, spec string, id uint32, hasID bool, callerID int) ([]syscall.SysProcIDMap, error) {
	if spec == "" {
		return idmap.Default(id, hasID, callerID), nil
	}
	m, err := idmap.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("%s map: %w", kind, err)
	}
	return m, nil
}
