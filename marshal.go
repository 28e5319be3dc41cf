package minijail

import (
	"fmt"

	"github.com/minijail-go/minijail/internal/config"
)

// MarshalBinary encodes the jail's configuration (libminijail's
// minijail_marshal): everything but the program, the caller's fds to
// preserve, the pid file and the logger, which belong to one process. The
// encoding is versioned and bounded; see UnmarshalJail.
func (j *Jail) MarshalBinary() ([]byte, error) {
	c := j.cfg
	c.Path, c.Argv, c.Env, c.Dir = "", nil, nil, ""
	if j.envSet {
		c.Env = j.cfg.Env
	}
	c.PreserveFDs = nil
	b, err := config.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("marshal jail: %w", err)
	}
	return b, nil
}

// UnmarshalJail decodes a jail encoded by MarshalBinary (libminijail's
// minijail_unmarshal). The input is untrusted: every field is validated, and
// a bad encoding is an error, never a panic.
func UnmarshalJail(b []byte) (*Jail, error) {
	c, err := config.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("unmarshal jail: %w", err)
	}
	if c.Path != "" || len(c.PreserveFDs) > 0 || c.InitStage || c.LastPidFD != -1 || c.SeccompNotifFD != -1 ||
		c.EnterMountNSFD != -1 || c.EnterNetNSFD != -1 {
		return nil, fmt.Errorf("unmarshal jail: not a jail template (it names a program or helper state)")
	}
	j := New()
	j.cfg = *c
	j.envSet = c.Env != nil
	if len(c.SeccompFilter) > 0 {
		j.sc.use = true
	}
	return j, nil
}
